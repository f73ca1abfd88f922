import BPFCore

/// Which slots of the current frame, before each instruction, may hold a number that still
/// decides something: one a later load brings back into a register that decides something
/// (`ScalarRelevance`) before a whole-slot store replaces it. A number kept on the stack that
/// is only handed to a helper as bytes (`bpf_skb_store_bytes` of a buffer of flags, say) need
/// not match for one state to cover another, as the kernel's precision marks say; without
/// this every combination of such bytes is a state of its own.
///
/// Sound by staying coarse where it cannot tell: a load or atomic through a register that may
/// point into the stack, a helper that looks at slots (a map lookup, whose key may decide NULL;
/// `StackLiveness.readsSlots`), and a call to a function
/// (which may read the caller's frame) make every slot relevant.
enum StackRelevance {
    static let all = UInt64.max

    static func compute(_ program: VerifiedProgram, relevantRegisters: [UInt16], stackPointers mayPointToStack: [UInt16]) -> [UInt64] {
        BackwardFlow.solve(program) { (index, op, after: UInt64) in
            var registersAfter: UInt16 = 0
            for next in program.successors(of: index) where next < program.count { registersAfter |= relevantRegisters[next] }
            return before(op, after: after, registersAfter: registersAfter, stackPointers: mayPointToStack[index])
        }
    }

    /// The slot an access at `offset` from r10 lies in.
    private static func slotBit(_ offset: Int16, size: Int) -> UInt64 {
        guard let (slot, _) = PathMemory.slot(Int(offset), size: size) else { return 0 }
        return 1 << UInt64(slot)
    }

    private static func before(_ op: Operation, after: UInt64, registersAfter: UInt16, stackPointers: UInt16) -> UInt64 {
        func mayBeStack(_ r: UInt8) -> Bool { r < 16 && stackPointers & (1 << UInt16(r)) != 0 }
        switch op {
        case let .load(size, _, dst, src, offset):
            if src == 10 {
                let decides = dst < 16 && registersAfter & (1 << UInt16(dst)) != 0
                return decides ? after | slotBit(offset, size: size.byteCount) : after
            }
            return mayBeStack(src) ? all : after
        case let .store(size, dst, _, offset):
            if dst == 10, size.byteCount == 8 { return after & ~slotBit(offset, size: 8) }
            return after
        case let .atomic(kind, size, dst, src, offset):
            let base = kind == .loadAcquire ? src : dst
            if base == 10 { return after | slotBit(offset, size: size.byteCount) }
            return mayBeStack(base) ? all : after
        case .call(.helper(let id)):
            // A map lookup's key bytes may decide whether the result may be NULL.
            return StackLiveness.readsSlots(id) ? all : after
        case .call:
            return all
        default:
            return after
        }
    }
}
