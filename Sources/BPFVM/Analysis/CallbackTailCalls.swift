/// Tail calls and callbacks, as Linux 6.18 refuses them together (measured with
/// verifier/callback_tail_calls.c):
///
/// - a callback whose own code tail-calls: the call's success is an exit of the callback
///   with an unknown r0, and the kernel's precision walk from that exit back to the helper call
///   finds r0 still wanted, its own inconsistency ("verifier bug: callback unexpected regs 1",
///   EFAULT) rather than the return range's EINVAL;
/// - a callback that calls a function from which a tail call can be reached: refused when the
///   call graph is walked after the paths ("cannot tail call within callback", EINVAL). A tail
///   call reached from the program's own functions next to a callback is fine.
enum CallbackTailCalls {
    /// At a tail call on a path: whether its success leaves a synchronous callback's frame.
    static func leavesCallback(_ state: PathState, exploringCallback: PathCallbacks.Use?) -> Bool {
        if let frame = state.returns.last { return frame.callback != nil }
        return exploringCallback.map { !$0.isAsync } ?? false
    }

    static let leftCallback = "verifier bug: callback unexpected regs 1"

    /// Refuses a callback from whose callees (through bpf-to-bpf calls) a tail call is reached.
    /// `callees`: the functions each function calls, by first slot.
    static func check(_ program: VerifiedProgram, callbacks: Set<Int>, callees: [Int: Set<Int>]) throws(VMError) {
        guard !callbacks.isEmpty else { return }
        var tailCalling: Set<Int> = []
        for (index, op) in program.operations.enumerated() {
            guard case .call(.helper(VMLimits.tailCallHelper))? = op else { continue }
            tailCalling.insert(program.functionStarts[program.function(containing: index)])
        }
        for callback in callbacks.sorted() {
            var seen: Set<Int> = [], pending = Array(callees[callback] ?? [])
            while let function = pending.popLast() {
                guard seen.insert(function).inserted else { continue }
                if tailCalling.contains(function) {
                    throw VMError(instruction: nil, "cannot tail call within callback", errno: .EINVAL)
                }
                pending.append(contentsOf: callees[function] ?? [])
            }
        }
    }
}
