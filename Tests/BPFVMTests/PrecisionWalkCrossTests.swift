import BPFCore
@testable import BPFVM
import Testing

/// How the precision walk goes back across frames (`PrecisionWalk.cross`): into a callback from
/// the helper call it returned to, and out of it to the call that ran it, as the kernel's
/// backtrack_insn does; a function's return keeps its rules even when the instruction after the
/// call is a callback-running helper call (the step says which exit it is: `callbackExit`).
@Suite struct PrecisionWalkCrossTests {
    static let loopCall = Operation.call(.helper(181))  // bpf_loop: runs its callback during the call

    @Test func backIntoACallbackFromItsHelperCallFollowsNeitherR0NorTheArguments() {
        var walk = PrecisionWalk(registers: 1 << 0 | 1 << 6, slots: 1 << 2)
        let crossed = walk.cross(from: (.exit, 1, PathStep.callbackExit), to: (Self.loopCall, 0))
        #expect(crossed)
        // The callback's r0 is not the helper's result; the caller's r6 and slot wait.
        #expect(walk.registers == 0 && walk.slots == 0)
        #expect(walk.callers.count == 1 && walk.callers[0].registers == 1 << 6 && walk.callers[0].slots == 1 << 2)
    }

    @Test func aFunctionsReturnBeforeAHelperCallKeepsR0() {
        var walk = PrecisionWalk(registers: 1 << 0 | 1 << 7, slots: 0)
        // No callbackExit: a static function returned, and the next instruction is bpf_loop's call.
        let crossed = walk.cross(from: (.exit, 1, 0), to: (Self.loopCall, 0))
        #expect(crossed)
        #expect(walk.registers == 1 << 0)
        #expect(walk.callers.count == 1 && walk.callers[0].registers == 1 << 7)
    }

    @Test func outOfACallbackToItsCallDropsTheHelpersArguments() {
        var walk = PrecisionWalk(registers: 1 << 1 | 1 << 2, slots: 0)
        walk.callers = [(registers: 1 << 6, slots: 1 << 3)]
        let crossed = walk.cross(from: (Self.loopCall, 0, 0), to: (.exit, 1))
        #expect(crossed)
        #expect(walk.registers == 1 << 6 && walk.slots == 1 << 3 && walk.callers.isEmpty)
        // A callback's own slot wanted at its start cannot be followed out.
        var own = PrecisionWalk(registers: 0, slots: 1)
        let ownCrossed = own.cross(from: (Self.loopCall, 0, 0), to: (.exit, 1))
        #expect(!ownCrossed)
    }

    @Test func aCallbacksExitMustReturnToACallbackRunningCall() {
        var walk = PrecisionWalk(registers: 1, slots: 0)
        let crossed = walk.cross(from: (.exit, 1, PathStep.callbackExit), to: (.call(.helper(7)), 0))
        #expect(!crossed)
    }
}
