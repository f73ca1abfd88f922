import BPFCore

/// Which slots of the current frame a later instruction may still read before a whole-slot
/// store replaces them, before each instruction (the kernel's REG_LIVE_READ for the stack):
/// pruning compares only those. Also, whether a later instruction of the function may reach
/// memory through a register that may point into a stack (`indirect`): then the frames of its
/// callers may be read too, and are compared whole.
///
/// What reads a slot here is what the path analysis looks at: a load (its type and value), an
/// atomic, the helpers of `readsSlots`, and the memory a helper reads (`StackArgumentSlots`).
/// Other helpers only check the bounds of their memory arguments and write them; a helper whose
/// checks read slot contents must be added there.
enum StackLiveness {
    struct Facts {
        var slots: [UInt64]
        var indirect: [Bool]
    }

    /// The flow value before an instruction: the live slots, and whether a stack may be reached
    /// through another pointer from here on.
    private struct Live: BackwardFlowValue {
        var slots: UInt64
        var indirect: Bool
        static var empty: Live { Live(slots: 0, indirect: false) }
        mutating func join(_ other: Live) {
            slots |= other.slots
            indirect = indirect || other.indirect
        }
    }

    /// `memoryReaders`: the helper calls that read memory a stack pointer may give them, with
    /// the slots they read (`StackArgumentSlots`).
    /// `frames`: the registers known to hold r10 plus a constant (`FrameValues`), whose loads
    /// and stores name their slot as r10's do.
    static func compute(_ program: VerifiedProgram, stackPointers: [UInt16], memoryReaders: [Int: UInt64] = [:],
                        frames: [FrameValues.State] = []) -> Facts {
        let values = BackwardFlow.solve(program) { (index, op, after: Live) in
            let (slots, reaches) = transfer(op, at: index, after: after.slots, stackPointers: stackPointers,
                                            memoryReaders: memoryReaders, frames: frames)
            return Live(slots: slots, indirect: after.indirect || reaches)
        }
        return Facts(slots: values.map(\.slots), indirect: values.map(\.indirect))
    }

    /// The slots live before the instruction at `index` given those live after it, and whether
    /// it may reach a stack through another pointer.
    static func transfer(_ op: Operation, at index: Int, after: UInt64, stackPointers: [UInt16],
                         memoryReaders: [Int: UInt64], frames: [FrameValues.State]) -> (UInt64, Bool) {
        // The kernel marks the slots a helper reads through a memory argument as read
        // (check_stack_range_initialized), so pruning compares them: those the argument
        // covers when r10 plus a constant, else every slot. A map lookup's key slots are
        // all it looks at (`PathMemory.constantKey`).
        if let read = memoryReaders[index] {
            guard read != .max else { return (.max, true) }
            if case .call(.helper(let id)) = op, id != 1, readsSlots(id) { return (.max, true) }
            return (after | read, false)
        }
        let known = index < frames.count ? frames[index] : nil
        return before(op, after: after, stackPointers: index < stackPointers.count ? stackPointers[index] : .max, frame: known)
    }

    /// Helpers (and kfuncs, called as helpers) whose checks look at what slots hold: a map
    /// lookup's key (`PathMemory.constantKey`), the dynptr helpers, every kfunc (the
    /// iterator and dynptr slots of `IteratorSlots`), and the helpers whose callback runs on the
    /// path and may read any frame below its own through its context.
    static func readsSlots(_ id: Int32) -> Bool {
        id == 1 || (196 ... 203).contains(id) || KfuncTable.kfunc(helper: id) != nil || PathCallbacks.runsDuringCall.contains(id)
    }

    /// The slot an access at `offset` from the frame's top lies in (none if it crosses slots).
    static func slotBit(_ offset: Int64, size: Int) -> UInt64 {
        guard offset >= Int64(Int32.min), offset <= 0, let (slot, _) = PathMemory.slot(Int(offset), size: size) else { return 0 }
        return 1 << UInt64(slot)
    }

    /// The slots live before `op`, and whether `op` may reach a stack through another pointer.
    private static func before(_ op: Operation, after: UInt64, stackPointers: UInt16, frame: FrameValues.State?) -> (UInt64, Bool) {
        func mayBeStack(_ r: UInt8) -> Bool { r < 16 && stackPointers & (1 << UInt16(r)) != 0 }
        func frameAddress(_ r: UInt8, _ offset: Int16) -> Int64? { FrameValues.address(r, offset, in: frame) }
        let all = UInt64.max
        switch op {
        case let .load(size, _, _, src, offset):
            if let address = frameAddress(src, offset) { return (after | slotBit(address, size: size.byteCount), false) }
            return mayBeStack(src) ? (all, true) : (after, false)
        case let .store(size, dst, _, offset):
            if let address = frameAddress(dst, offset) {
                // A whole-slot store ends the slot's life; a smaller one neither ends it nor
                // reads it (the kernel sets REG_LIVE_WRITTEN for 8 bytes only and marks no read):
                // the bytes it keeps count only where a later load reads them.
                let slot = slotBit(address, size: size.byteCount)
                return (size.byteCount == 8 ? after & ~slot : after, false)
            }
            guard mayBeStack(dst) else { return (after, false) }
            // A whole-slot store only writes; a smaller one keeps the rest of its slot.
            return size.byteCount == 8 ? (after, false) : (all, true)
        case let .atomic(kind, size, dst, src, offset):
            let base = kind == .loadAcquire ? src : dst
            if let address = frameAddress(base, offset) { return (after | slotBit(address, size: size.byteCount), false) }
            return mayBeStack(base) ? (all, true) : (after, false)
        case .call(.helper(1)) where !mayBeStack(2):
            // A map lookup reads slots through its key alone: a key in the packet or a map value
            // reads none (the kernel marks stack reads where a call really read the stack).
            return (after, false)
        case .call(.helper(let id)):
            return readsSlots(id) ? (all, true) : (after, false)
        case .call:
            return (all, true)
        default:
            return (after, false)
        }
    }
}
