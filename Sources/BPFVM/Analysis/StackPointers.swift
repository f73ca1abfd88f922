import BPFCore

/// Which registers, before each instruction, may hold a pointer into a stack (a forward
/// may-analysis): r10 and what is computed from it, anything loaded through such a pointer when
/// the program ever stores one, and at a function's entry its arguments (a callback's context
/// may be its caller's stack). Only a fill from a stack slot gives a pointer back: a load
/// through any other pointer gives a number (a pointer stored in a map value reads back as a
/// number, as in the kernel) or a pointer of another type.
enum StackPointers {
    static func compute(_ program: VerifiedProgram) -> [UInt16] {
        let arguments: UInt16 = 0b11_1110, frame: UInt16 = 1 << 10
        var spills = false
        var values = [UInt16](repeating: 0, count: program.count)
        for start in program.functionStarts where start < program.count {
            values[start] = start == 0 ? frame : frame | arguments
        }
        var changed = true
        while changed {
            changed = false
            for index in 0 ..< program.count {
                guard let op = program.operations[index] else { continue }
                let here = values[index]
                func has(_ r: UInt8) -> Bool { r < 16 && here & (1 << UInt16(r)) != 0 }
                func bit(_ r: UInt8) -> UInt16 { r < 16 ? 1 << UInt16(r) : 0 }
                var out = here
                switch op {
                case let .alu(kind, _, dst, operand):
                    let source = if case .register(let r) = operand { has(r) } else { false }
                    let keeps = kind == .mov || kind == .movsx(bits: 8) || kind == .movsx(bits: 16) || kind == .movsx(bits: 32)
                        ? source : source || has(dst)
                    out = keeps ? out | bit(dst) : out & ~bit(dst)
                case let .load(_, _, dst, src, _):
                    out = spills && has(src) ? out | bit(dst) : out & ~bit(dst)
                case let .loadImm64(dst, _, _):
                    out &= ~bit(dst)
                case let .store(_, _, .register(r), _):
                    if has(r), !spills {
                        spills = true
                        changed = true
                    }
                case let .atomic(_, _, dst, src, _):
                    if has(src), !spills {
                        spills = true
                        changed = true
                    }
                    out |= spills && has(dst) ? bit(src) | bit(dst) | 1 : 0
                case .call(.helper):
                    out &= ~0b11_1111
                case .call, .packetLoad:
                    // A function may hand back a pointer into its caller's stack.
                    out = (out & ~0b11_1111) | 1
                default:
                    break
                }
                out |= frame
                for next in program.successors(of: index) where next < program.count && values[next] | out != values[next] {
                    values[next] |= out
                    changed = true
                }
            }
        }
        return values
    }
}
