/// A helper's memory argument it fills without reading (MEM_UNINIT, the kernel's raw mode) may
/// not reach a dynptr's stack bytes: `check_stack_range_initialized` scans the bytes from the
/// lowest up and refuses at the first one of a dynptr ("potential write to dynptr at off=%d
/// disallowed", EACCES), after the size and bounds checks and before the helper's later
/// arguments are looked at (check_helper_call goes argument by argument), so such a call is
/// refused there even when a later argument names the dynptr. Only a pointer at a constant
/// offset is scanned (the kernel drops raw mode for a variable one); kfuncs have no raw mode.
enum HelperDynptrWrites {
    /// Refuses the write of `bytes` bytes at `pointer` when one of them is a live dynptr's in
    /// `state` (the state before the helper's write was followed).
    static func check(_ pointer: AbstractValue, bytes: UInt64, at index: Int, _ state: PathState) throws(VMError) {
        guard case .stack(let frame) = pointer.kind, frame <= state.frame, pointer.range.constant == 0, bytes > 0,
              !state.dynptrs.isEmpty else { return }
        let start = pointer.offset
        let end = start + Int(min(bytes, UInt64(VMLimits.stackPerFrame)))
        for byte in start ..< end {
            guard let (slot, _) = PathMemory.slot(byte, size: 1), isDynptr(frame: frame, slot: slot, state) else { continue }
            throw VMError(instruction: index, "potential write to dynptr at off=\(byte) disallowed", errno: .EACCES)
        }
    }

    /// Whether stack slot `slot` of `frame` holds half of a dynptr no store has touched since it was made.
    private static func isDynptr(frame: Int, slot: Int, _ state: PathState) -> Bool {
        let stack = state.stacks[frame]
        for first in [slot, slot + 1] where first >= 1 && first < stack.count {
            let place = StackPlace(frame: frame, slot: first)
            if state.dynptrs.contains(place), stack[first] == .unknown, stack[first - 1] == .unknown { return true }
        }
        return false
    }
}
