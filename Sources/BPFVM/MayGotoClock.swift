/// `may_goto` as this machine's kernel runs it. The x86-64 JIT's timed rewrite (Linux 6.13+)
/// gives each stack frame a count of `VMLimits.timedMayGotoPasses` and a clock stamp, set in
/// the frame's prologue; every pass takes one from the count, and when it reaches zero the
/// kernel looks at the clock: the first time it stamps it, later it ends the frame's loops (the
/// next may_goto jumps) once 250 ms have passed since the stamp, else refills the count.
///
/// The clock here is the run's budget counter (instructions charged to loop iterations, counting
/// down), not time: the same program then ends its loops after the same passes on every run
/// and on both engines, and never sooner than the kernel would on this machine
/// (`VMLimits.mayGotoSliceInstructions`). The counted rule of kernels without the timed one
/// (8M passes a frame) would end loops the kernel here runs to their end. Callbacks charge the
/// run's clock too (`runClock`), as their time counts on the kernel's.
enum MayGotoClock {
    /// The run's budget while a helper runs, shared by every frame of the run and its
    /// callbacks: the JIT's budget slot (the state block follows the frames block), which the
    /// JIT stores before each helper call and reloads after; the interpreter does the same.
    @inline(__always)
    static func runClock(_ frames: UnsafeMutablePointer<UInt64>) -> UnsafeMutablePointer<Int> {
        UnsafeMutableRawPointer(frames)
            .advanced(by: Scratch.frameBytes + Int(JITState.Slot.budget.rawValue) * 8)
            .assumingMemoryBound(to: Int.self)
    }

    /// A frame's count and stamp, in its words of the frames block (`Scratch.mayGotoWord`).
    @inline(__always)
    static func slot(_ frames: UnsafeMutablePointer<UInt64>, depth: Int) -> UnsafeMutablePointer<UInt64> {
        frames + depth * Scratch.frameWords + Scratch.mayGotoWord
    }

    /// The frame's prologue: a full count, no stamp.
    @inline(__always)
    static func enter(_ slot: UnsafeMutablePointer<UInt64>) {
        slot[0] = VMLimits.timedMayGotoPasses
        slot[1] = 0
    }

    /// One may_goto: whether it jumps. `clock` is the budget left (never negative here: a
    /// backward jump that takes it below zero faults first).
    @inline(__always)
    static func jumps(_ slot: UnsafeMutablePointer<UInt64>, clock: Int, slice: Int) -> Bool {
        let count = slot[0]
        if count == 0 { return true }
        slot[0] = count == 1 ? refill(slot, clock: clock, slice: slice) : count - 1
        return false
    }

    /// The count after it ran out: stamps the clock the first time (stored one above the
    /// clock, so that no stamp is zero), later zero once the slice is spent.
    private static func refill(_ slot: UnsafeMutablePointer<UInt64>, clock: Int, slice: Int) -> UInt64 {
        let now = UInt64(bitPattern: Int64(clock))
        guard slot[1] != 0 else {
            slot[1] = now &+ 1
            return VMLimits.timedMayGotoPasses
        }
        let spent = Int64(bitPattern: slot[1] &- 1 &- now)
        return spent >= Int64(slice) ? 0 : VMLimits.timedMayGotoPasses
    }
}
