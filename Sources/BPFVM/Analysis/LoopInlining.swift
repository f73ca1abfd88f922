/// The bpf_loop calls the kernel replaces by a loop of its own (its loop_inline_state): a call
/// whose flags are the constant 0 and whose callback is the same function on every path that
/// reaches it. That loop answers otherwise than the helper (all 64 bits of the count compared,
/// -E2BIG as a 32-bit number), so the run asks which calls these are (`HelperCall.inlinesLoop`).
final class LoopInlining {
    /// The callback each bpf_loop call was seen with, by the call's instruction.
    private var callbacks: [Int: Int] = [:]
    /// Calls some path reached with other flags or another callback.
    private var unfit: Set<Int> = []

    func note(_ state: PathState, callback start: Int, at index: Int) {
        let flags = state.registers[4]
        let zeroFlags = flags.isScalar && flags.range.umax == 0
        if !zeroFlags || callbacks[index].map({ $0 != start }) == true { unfit.insert(index) }
        callbacks[index] = start
    }

    var inlinedCalls: Set<Int> { Set(callbacks.keys).subtracting(unfit) }
}
