import BPFCore

/// Which slots of the current frame, before each instruction, may hold a number that still
/// decides something: one a later load brings back into a register that decides something
/// (`ScalarRelevance`) before a whole-slot store replaces it. A number kept on the stack that
/// is only handed to a helper as bytes (`bpf_skb_store_bytes` of a buffer of flags, say) need
/// not match for one state to cover another, as the kernel's precision marks say; without
/// this every combination of such bytes is a state of its own.
///
/// Sound by staying coarse where it cannot tell: a load or atomic through a register that may
/// point into the stack (unless `FrameValues` knows where), a helper that looks at slots
/// (`StackLiveness.readsSlots`; a map lookup, whose key may decide NULL, only its key's slots when
/// known), and a call to a function (which may read the caller's frame) make every slot relevant.
enum StackRelevance {
    static let all = UInt64.max

    /// `frames`: registers known to hold r10 plus a constant (`FrameValues`); `memoryReaders`:
    /// the slots each helper call reads (`StackArgumentSlots`).
    static func compute(_ program: VerifiedProgram, relevantRegisters: [UInt16], stackPointers mayPointToStack: [UInt16],
                        frames: [FrameValues.State] = [], memoryReaders: [Int: UInt64] = [:]) -> [UInt64] {
        BackwardFlow.solve(program) { (index, op, after: UInt64) in
            var registersAfter: UInt16 = 0
            for next in program.successors(of: index) where next < program.count { registersAfter |= relevantRegisters[next] }
            return before(op, after: after, registersAfter: registersAfter, stackPointers: mayPointToStack[index],
                          frame: index < frames.count ? frames[index] : nil, reads: memoryReaders[index])
        }
    }

    private static func before(_ op: Operation, after: UInt64, registersAfter: UInt16, stackPointers: UInt16,
                               frame: FrameValues.State?, reads: UInt64?) -> UInt64 {
        func mayBeStack(_ r: UInt8) -> Bool { r < 16 && stackPointers & (1 << UInt16(r)) != 0 }
        func frameAddress(_ r: UInt8, _ offset: Int16) -> Int64? { FrameValues.address(r, offset, in: frame) }
        switch op {
        case let .load(size, _, dst, src, offset):
            if let address = frameAddress(src, offset) {
                let decides = dst < 16 && registersAfter & (1 << UInt16(dst)) != 0
                return decides ? after | StackLiveness.slotBit(address, size: size.byteCount) : after
            }
            return mayBeStack(src) ? all : after
        case let .store(size, dst, _, offset):
            if size.byteCount == 8, let address = frameAddress(dst, offset) { return after & ~StackLiveness.slotBit(address, size: 8) }
            return after
        case let .atomic(kind, size, dst, src, offset):
            let base = kind == .loadAcquire ? src : dst
            if let address = frameAddress(base, offset) { return after | StackLiveness.slotBit(address, size: size.byteCount) }
            return mayBeStack(base) ? all : after
        case .call(.helper(let id)):
            // A map lookup's key bytes may decide whether the result may be NULL: the key's
            // slots when known, else every slot.
            if id == 1, let reads, reads != .max { return after | reads }
            return StackLiveness.readsSlots(id) ? all : after
        case .call:
            return all
        default:
            return after
        }
    }
}
