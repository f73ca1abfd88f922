import Atomics

/// Per-program run statistics, like the kernel's bpf_stats (run count and time) plus how
/// often each verdict came back.
final class ProgramCounters: Sendable {
    let runs = ManagedAtomic<UInt64>(0)
    let nanoseconds = ManagedAtomic<UInt64>(0)
    /// NEXT, PASS, DROP, REDIRECT, anything else.
    let verdicts = (0..<5).map { _ in ManagedAtomic<UInt64>(0) }

    func record(returnValue: Int32, nanoseconds elapsed: UInt64) {
        runs.wrappingIncrement(ordering: .relaxed)
        // Untimed runs (statistics off) skip the atomic add of nothing.
        if elapsed != 0 { nanoseconds.wrappingIncrement(by: elapsed, ordering: .relaxed) }
        let slot: Int
        switch returnValue {
        case -1: slot = 0
        case 0: slot = 1
        case 2: slot = 2
        case 7: slot = 3
        default: slot = 4
        }
        verdicts[slot].wrappingIncrement(ordering: .relaxed)
    }

    var snapshot: ProgramStatistics {
        ProgramStatistics(runs: runs.load(ordering: .relaxed), nanoseconds: nanoseconds.load(ordering: .relaxed),
                          next: verdicts[0].load(ordering: .relaxed), pass: verdicts[1].load(ordering: .relaxed),
                          drop: verdicts[2].load(ordering: .relaxed), redirect: verdicts[3].load(ordering: .relaxed),
                          other: verdicts[4].load(ordering: .relaxed))
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
