import BPFCore

/// Refuses reads of registers no path has written, like the kernel's `R%d !read_ok`.
///
/// A forward must-analysis: at each instruction, the set of registers written on every path
/// from the function's start (a bit per register, intersected where paths meet).
enum RegisterCheck {
    typealias Registers = UInt16
    static let callerSaved: Registers = 0b11_1110  // r1-r5
    static let frame: Registers = 1 << 10

    static func run(_ program: VerifiedProgram, entryRegisters: Set<UInt8>) throws(VMError) {
        var entry: Registers = frame
        for r in entryRegisters where r <= 10 { entry |= 1 << r }
        var state = [Registers?](repeating: nil, count: program.count)
        for (f, start) in program.functionStarts.enumerated() {
            // A callee sees the caller's r1-r5 as its arguments; which of them the caller set is
            // not tracked across calls (see docs/vm.md).
            state[start] = f == 0 && start == 0 ? entry : (callerSaved | frame)
            var work = [start]
            while let i = work.popLast() {
                guard let op = program.operations[i], let before = state[i] else { continue }
                let (reads, after) = effect(of: op)
                let missing = reads & ~before
                if missing != 0 {
                    throw VMError(instruction: i, "R\(missing.trailingZeroBitCount) !read_ok", errno: .EACCES)
                }
                let out = after(before)
                for next in program.successors(of: i) {
                    let merged = state[next].map { $0 & out } ?? out
                    if merged != state[next] {
                        state[next] = merged
                        work.append(next)
                    }
                }
            }
        }
    }

    private static func bit(_ r: UInt8) -> Registers { 1 << Registers(r) }

    private static func bits(_ operand: Operand) -> Registers {
        if case .register(let r) = operand { return bit(r) }
        return 0
    }

    /// The registers an operation reads, and how it changes the set of written ones.
    static func effect(of op: Operation) -> (reads: Registers, update: (Registers) -> Registers) {
        switch op {
        case let .alu(kind, _, dst, operand):
            let readsDst: Registers
            switch kind {
            case .mov, .movsx: readsDst = 0
            default: readsDst = bit(dst)
            }
            return (readsDst | bits(operand), { $0 | bit(dst) })
        case let .byteOrder(_, _, dst):
            return (bit(dst), { $0 })
        case let .loadImm64(dst, _, _):
            return (0, { $0 | bit(dst) })
        case let .load(_, _, dst, src, _):
            return (bit(src), { $0 | bit(dst) })
        case let .store(_, dst, value, _):
            return (bit(dst) | bits(value), { $0 })
        case let .atomic(kind, _, dst, src, _):
            switch kind {
            case .loadAcquire: return (bit(src), { $0 | bit(dst) })
            case .cmpxchg: return (bit(dst) | bit(src) | 1, { $0 | 1 })
            default:
                let written = Verifier.writtenRegister(op).map(bit) ?? 0
                return (bit(dst) | bit(src), { $0 | written })
            }
        case let .packetLoad(_, index, _):
            // The kernel needs the context in r6 and clobbers r1-r5 like a call.
            return (bit(6) | (index.map(bit) ?? 0), { ($0 & ~callerSaved) | 1 })
        case let .jump(_, _, dst, operand, _):
            return (bit(dst) | bits(operand), { $0 })
        case .goto:
            return (0, { $0 })
        case .call(let target):
            let reads: Registers = if case .register(let r) = target { bit(r) } else { 0 }
            return (reads, { ($0 & ~callerSaved) | 1 })
        case .exit:
            return (1, { $0 })
        }
    }
}
