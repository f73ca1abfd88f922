import Atomics

/// Per-program run statistics, like the kernel's bpf_stats (run count and time) plus how
/// often each verdict came back.
final class ProgramCounters: @unchecked Sendable {
    /// NEXT, PASS, DROP, REDIRECT, anything else, then the nanoseconds: one block, so a run
    /// counts with one atomic add and no retain. The run count is their sum (every counted run
    /// has a verdict).
    private let slots: UnsafeMutablePointer<UnsafeAtomic<UInt64>.Storage>
    private static let timeSlot = 5

    init() {
        slots = .allocate(capacity: Self.timeSlot + 1)
        slots.initialize(repeating: UnsafeAtomic<UInt64>.Storage(0), count: Self.timeSlot + 1)
    }

    deinit { slots.deallocate() }

    private func slot(_ index: Int) -> UnsafeAtomic<UInt64> { UnsafeAtomic(at: slots + index) }

    @inline(__always)
    func record(returnValue: Int32, nanoseconds elapsed: UInt64) {
        // Untimed runs (statistics off) skip the atomic add of nothing.
        if elapsed != 0 { slot(Self.timeSlot).wrappingIncrement(by: elapsed, ordering: .relaxed) }
        let index: Int
        switch returnValue {
        case -1: index = 0
        case 0: index = 1
        case 2: index = 2
        case 7: index = 3
        default: index = 4
        }
        slot(index).wrappingIncrement(ordering: .relaxed)
    }

    var snapshot: ProgramStatistics {
        let verdicts = (0..<5).map { slot($0).load(ordering: .relaxed) }
        return ProgramStatistics(runs: verdicts.reduce(0, &+), nanoseconds: slot(Self.timeSlot).load(ordering: .relaxed),
                                 next: verdicts[0], pass: verdicts[1], drop: verdicts[2], redirect: verdicts[3],
                                 other: verdicts[4])
    }
}

/// A program's statistics at one moment.
public struct ProgramStatistics: Hashable, Sendable {
    public var runs: UInt64
    public var nanoseconds: UInt64
    public var next: UInt64
    public var pass: UInt64
    public var drop: UInt64
    public var redirect: UInt64
    public var other: UInt64
}
