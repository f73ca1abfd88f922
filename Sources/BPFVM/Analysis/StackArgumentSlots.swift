import BPFCore

/// The slots a helper call reads through a memory argument (a key, a value, memory it reads)
/// when the argument is r10 plus a constant on every way to the call: pruning then compares
/// those slots only, as the kernel marks only the bytes check_stack_range_initialized looked
/// at. `FrameValues` says which registers hold r10 plus a constant (filled back from a slot
/// too), a constant, or the map an `lddw` loaded (for a key's or a value's size).
enum StackArgumentSlots {
    typealias Known = FrameValues.Known

    /// By call index: the slots of the current frame the helper reads, `.max` when the
    /// pointer's offset is not known (any slot). Calls without a memory argument that may
    /// point into the stack are absent.
    static func compute(_ program: VerifiedProgram, arguments: [Int: [HelperArgument]],
                        stackPointers: [UInt16], frames: [FrameValues.State]) -> [Int: UInt64] {
        guard !arguments.isEmpty else { return [:] }
        var reads: [Int: UInt64] = [:]
        for (index, declared) in arguments where index < stackPointers.count && index < frames.count {
            let known = frames[index].registers
            for (position, argument) in declared.prefix(5).enumerated()
            where [.mapKey, .mapValue, .memory].contains(argument.kind) && !argument.flags.contains(.uninitialized)
                && stackPointers[index] & (1 << UInt16(position + 1)) != 0 {
                let size = self.size(of: argument.kind, position: position, declared, known, program)
                reads[index, default: 0] |= slots(known[position + 1], size: size)
            }
        }
        return reads
    }

    /// By call index: the argument registers whose memory the helper may write (for
    /// `FrameValues`, which forgets the stack pointers spilled there).
    static func written(_ arguments: [Int: [HelperArgument]]) -> [Int: UInt16] {
        arguments.mapValues { declared in
            var registers: UInt16 = 0
            for (position, argument) in declared.prefix(5).enumerated() where mayWrite(argument) {
                registers |= 1 << UInt16(position + 1)
            }
            return registers
        }
    }

    private static func mayWrite(_ argument: HelperArgument) -> Bool {
        switch argument.kind {
        case .anything, .context, .mapPointer, .size, .sizeOrZero, .allocationSize, .number, .function, .constantString:
            return false
        case .mapKey, .mapValue:
            return argument.flags.contains(.uninitialized)
        case .memory:
            return !argument.flags.contains(.readOnly)
        default:
            return true
        }
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
}
