import BPFCore

/// The slots a helper call reads through a memory argument (a key, a value, memory it reads)
/// when the argument is r10 plus a constant on every way to the call: pruning then compares
/// those slots only, as the kernel marks only the bytes check_stack_range_initialized looked
/// at. A forward pass over each function tracks, per register, r10 plus a constant, a
/// constant, or the map an `lddw` loaded (for a key's or a value's size).
enum StackArgumentSlots {
    /// What a register holds before an instruction, on every way there.
    enum Known: Hashable {
        case unreached, frame(Int64), number(Int64), map(Int), varies

        func joined(_ other: Known) -> Known {
            if self == .unreached { return other }
            return other == .unreached || other == self ? self : .varies
        }
    }

    /// By call index: the slots of the current frame the helper reads, `.max` when the
    /// pointer's offset is not known (any slot). Calls without a memory argument that may
    /// point into the stack are absent.
    static func compute(_ program: VerifiedProgram, arguments: [Int: [HelperArgument]],
                        stackPointers: [UInt16]) -> [Int: UInt64] {
        guard !arguments.isEmpty else { return [:] }
        let known = registersBefore(program)
        var reads: [Int: UInt64] = [:]
        for (index, declared) in arguments where index < stackPointers.count && index < known.count {
            for (position, argument) in declared.prefix(5).enumerated()
            where [.mapKey, .mapValue, .memory].contains(argument.kind) && !argument.flags.contains(.uninitialized)
                && stackPointers[index] & (1 << UInt16(position + 1)) != 0 {
                let size = self.size(of: argument.kind, position: position, declared, known[index], program)
                reads[index, default: 0] |= slots(known[index][position + 1], size: size)
            }
        }
        return reads
    }

    /// The bytes the argument at `position` covers, when known: the next argument's constant
    /// for memory, the map's key or value size for a key or a value.
    private static func size(of kind: HelperArgument.Kind, position: Int, _ declared: [HelperArgument],
                             _ registers: [Known], _ program: VerifiedProgram) -> Int64? {
        switch kind {
        case .memory:
            guard position + 1 < declared.count, [.size, .sizeOrZero].contains(declared[position + 1].kind),
                  case .number(let n) = registers[position + 2] else { return nil }
            return n
        case .mapKey, .mapValue:
            guard case .map(let load) = registers[1], let shape = program.mapShapes[load] else { return nil }
            return Int64(kind == .mapKey ? shape.keySize : shape.valueSize)
        default:
            return nil
        }
    }

    /// The slots from r10 + offset over `size` bytes (to the frame's top when the size is not
    /// known); every slot when the offset is not known.
    private static func slots(_ pointer: Known, size: Int64?) -> UInt64 {
        guard case .frame(let offset) = pointer, offset < 0, offset >= -Int64(VMLimits.stackPerFrame) else { return .max }
        let end = min(0, offset + max(1, min(size ?? -offset, Int64(VMLimits.stackPerFrame))))
        var mask: UInt64 = 0
        var byte = offset
        while byte < end {
            mask |= 1 << UInt64((-byte - 1) / 8)
            byte += 1
        }
        return mask
    }

    /// Per instruction, r0-r10 before it.
    static func registersBefore(_ program: VerifiedProgram) -> [[Known]] {
        var values = [[Known]](repeating: Array(repeating: .unreached, count: 11), count: program.count)
        for start in program.functionStarts where start < program.count {
            values[start] = Array(repeating: .varies, count: 10) + [.frame(0)]
        }
        var changed = true
        while changed {
            changed = false
            for index in 0 ..< program.count where values[index][10] != .unreached {
                guard let op = program.operations[index] else { continue }
                let out = after(op, at: index, values[index], program)
                for next in program.successors(of: index) where next < program.count {
                    let joined = zip(values[next], out).map { $0.joined($1) }
                    if joined != values[next] {
                        values[next] = joined
                        changed = true
                    }
                }
            }
        }
        return values
    }

    private static func after(_ op: Operation, at index: Int, _ before: [Known], _ program: VerifiedProgram) -> [Known] {
        var r = before
        func set(_ register: UInt8, _ value: Known) { if register < 10 { r[Int(register)] = value } }
        switch op {
        case let .alu(kind, is64, dst, operand) where dst < 11:
            let source: Known = switch operand {
            case .immediate(let imm): .number(is64 ? Int64(imm) : Int64(UInt32(bitPattern: imm)))
            case .register(let s): s < 11 ? before[Int(s)] : .varies
            }
            switch (kind, is64, before[Int(dst)], source) {
            case (.mov, true, _, _): set(dst, source)
            case (.mov, false, _, .number(let n)): set(dst, .number(n & 0xffff_ffff))
            case let (.add, true, .frame(a), .number(b)), let (.add, true, .number(b), .frame(a)):
                set(dst, .frame(a &+ b))
            case let (.sub, true, .frame(a), .number(b)): set(dst, .frame(a &- b))
            default: set(dst, .varies)
            }
        case let .loadImm64(dst, source, _):
            let map = (source == .mapFD || source == .mapIndex) && program.mapShapes[index] != nil
            set(dst, map ? .map(index) : .varies)
        case let .load(_, _, dst, _, _), let .byteOrder(_, _, dst):
            set(dst, .varies)
        case let .atomic(_, _, dst, src, _):
            set(0, .varies)
            set(dst, .varies)
            set(src, .varies)
        case .call, .packetLoad:
            for register in 0 ... 5 { r[register] = .varies }
        default:
            break
        }
        return r
    }
}
