import BPFCore
@testable import BPFVM
import Testing

/// The precision walk through a stack pointer that is not r10 (a callback's context pointing
/// into its caller's stack, as bpf_user_ringbuf_drain's and bpf_loop's often do): where the
/// step recorded the frame and slot the access reached (`PathStep.knownTarget`), the walk
/// follows that slot, as the kernel's jump history records every stack access; where it did
/// not, the walk cannot follow. And out of a callback, the helper call's arguments compared at
/// the call are wanted before it.
@Suite struct PrecisionWalkPointerTests {
    static let loopCall = Operation.call(.helper(181))
    static let known = PathStep.indirectStack | PathStep.knownTarget

    /// Frame 0, slot 1 (fp-16), as `PathStep.target` names it.
    static let callerSlot1: UInt16 = 0 << 8 | 1

    @Test func aLoadThroughAPointerIntoTheCallersStackWantsThatSlot() {
        // In a callback (frame 1): r2 = *(u64 *)(r6 + 8), r6 pointing at fp-24 of frame 0.
        var walk = PrecisionWalk(registers: 1 << 2, slots: 0)
        let load = Operation.load(.double, signed: false, dst: 2, src: 6, offset: 8)
        let followed = walk.stepBack(load, flags: Self.known, entersFrame: false, frame: 1, target: Self.callerSlot1)
        #expect(followed)
        #expect(walk.registers == 0 && walk.slots == 0)
        #expect(walk.callers.count == 1 && walk.callers[0].slots == 1 << 1)
    }

    @Test func aWholeStoreThroughThePointerHandsTheSlotToTheValue() {
        var walk = PrecisionWalk(registers: 0, slots: 0)
        walk.callers = [(registers: 0, slots: 1 << 1)]
        let store = Operation.store(.double, dst: 6, value: .register(3), offset: 8)
        let followed = walk.stepBack(store, flags: Self.known, entersFrame: false, frame: 1, target: Self.callerSlot1)
        #expect(followed)
        #expect(walk.registers == 1 << 3 && walk.callers[0].slots == 0)
    }

    @Test func aPartialStoreKeepsTheSlotWantedAndAddsTheValue() {
        var walk = PrecisionWalk(registers: 0, slots: 0)
        walk.callers = [(registers: 0, slots: 1 << 1)]
        let store = Operation.store(.word, dst: 6, value: .register(3), offset: 8)
        let followed = walk.stepBack(store, flags: Self.known, entersFrame: false, frame: 1, target: Self.callerSlot1)
        #expect(followed)
        #expect(walk.registers == 1 << 3 && walk.callers[0].slots == 1 << 1)
    }

    @Test func aStoreToASlotNotWantedChangesNothing() {
        var walk = PrecisionWalk(registers: 1 << 7, slots: 0)
        walk.callers = [(registers: 0, slots: 1 << 2)]
        let store = Operation.store(.double, dst: 6, value: .register(3), offset: 8)
        let followed = walk.stepBack(store, flags: Self.known, entersFrame: false, frame: 1, target: Self.callerSlot1)
        #expect(followed)
        #expect(walk.registers == 1 << 7 && walk.callers[0].slots == 1 << 2)
    }

    @Test func anAccessWhoseSlotIsNotKnownCannotBeFollowed() {
        var loadWalk = PrecisionWalk(registers: 1 << 2, slots: 0)
        let load = Operation.load(.double, signed: false, dst: 2, src: 6, offset: 8)
        let loadFollowed = loadWalk.stepBack(load, flags: PathStep.indirectStack, entersFrame: false, frame: 1)
        #expect(!loadFollowed)
        var storeWalk = PrecisionWalk(registers: 0, slots: 0)
        storeWalk.callers = [(registers: 0, slots: 1 << 1)]
        let store = Operation.store(.double, dst: 6, value: .register(3), offset: 8)
        let storeFollowed = storeWalk.stepBack(store, flags: PathStep.indirectStack, entersFrame: false, frame: 1)
        #expect(!storeFollowed)
    }

    @Test func aPointerIntoADeeperFrameCannotBeFollowed() {
        var walk = PrecisionWalk(registers: 1 << 2, slots: 0)
        let load = Operation.load(.double, signed: false, dst: 2, src: 6, offset: 8)
        let followed = walk.stepBack(load, flags: Self.known, entersFrame: false, frame: 0, target: 1 << 8 | 1)
        #expect(!followed)
    }

    @Test func theArgumentsComparedAtACallbacksCallAreWantedBeforeTheCall() {
        // In the callback: the caller's r3 (its context argument) was compared at the call, r6
        // is the caller's own.
        var walk = PrecisionWalk(registers: 0, slots: 0)
        walk.callers = [(registers: 1 << 3 | 1 << 6, slots: 0)]
        let crossed = walk.cross(from: (Self.loopCall, 0, 0), to: (.exit, 1))
        #expect(crossed)
        #expect(walk.registers == 1 << 6)
        let stepped = walk.stepBack(Self.loopCall, flags: 0, entersFrame: false)
        #expect(stepped)
        #expect(walk.registers == 1 << 3 | 1 << 6)
        // Any other call sets r0-r5: none of it is wanted before it.
        var plain = PrecisionWalk(registers: 1 << 0 | 1 << 6, slots: 0)
        let plainStepped = plain.stepBack(.call(.helper(7)), flags: 0, entersFrame: false)
        #expect(plainStepped)
        #expect(plain.registers == 1 << 6)
    }
}
