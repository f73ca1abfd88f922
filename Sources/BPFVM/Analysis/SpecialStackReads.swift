/// Stack bytes where a dynptr or a number iterator lives are the kernel's STACK_DYNPTR and
/// STACK_ITER slots, which only the functions made for them read: a load from them, or a helper
/// reading them as memory (a map update's value, say), is refused ("invalid read from stack",
/// EACCES), so a program cannot copy a record's pointer out of its dynptr. A store that touched
/// one ended it (its slots no longer hold `.unknown`): then its bytes read as any others.
enum SpecialStackReads {
    /// `size` bytes at `offset` from a stack pointer, read by a load (`register` nil) or by a
    /// helper through `register`.
    static func check(_ base: AbstractValue, offset: Int, size: Int, register: Int?, at index: Int,
                      _ state: PathState) throws(VMError) {
        guard case .stack(let frame) = base.kind, frame <= state.frame, base.range.constant == 0,
              !state.dynptrs.isEmpty || !state.iterators.isEmpty else { return }
        let start = base.offset + offset
        for slot in liveSlots(frame: frame, state) {
            let bottom = -8 * (slot + 1)
            guard start < bottom + 8, start + size > bottom else { continue }
            let through = register.map { "R\($0) " } ?? ""
            throw VMError(instruction: index, "invalid read from stack \(through)off \(base.offset)+\(offset) size \(size)",
                          errno: .EACCES)
        }
    }

    /// The slots of `frame` a live dynptr (both its slots untouched) or iterator holds.
    private static func liveSlots(frame: Int, _ state: PathState) -> [Int] {
        let stack = state.stacks[frame]
        var slots: [Int] = []
        for place in state.dynptrs where place.frame == frame && place.slot >= 1 {
            if stack[place.slot] == .unknown, stack[place.slot - 1] == .unknown { slots += [place.slot, place.slot - 1] }
        }
        for place in state.iterators.keys where place.frame == frame && IteratorSlots.live(place, state) != nil {
            slots.append(place.slot)
        }
        return slots
    }
}
