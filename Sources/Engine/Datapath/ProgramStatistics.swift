/// Per-program run statistics, like the kernel's bpf_stats (run count and time) plus how
/// often each verdict came back: per thread, as the kernel's are per CPU (`CounterShards`).
final class ProgramCounters: @unchecked Sendable {
    // @unchecked: `CounterShards` orders its own accesses.
    /// NEXT, PASS, DROP, REDIRECT, anything else, then the nanoseconds. The run count is the
    /// verdicts' sum (every counted run has a verdict).
    private let shards = CounterShards(counters: ProgramCounters.timeSlot + 1)
    private static let timeSlot = 5

    deinit { shards.deallocate() }

    @inline(__always)
    func record(returnValue: Int32, nanoseconds elapsed: UInt64, in shard: CounterShard) {
        // Untimed runs (statistics off) skip the add of nothing.
        if elapsed != 0 { shards.add(Self.timeSlot, elapsed, in: shard) }
        let index: Int
        switch returnValue {
        case -1: index = 0
        case 0: index = 1
        case 2: index = 2
        case 7: index = 3
        default: index = 4
        }
        shards.add(index, in: shard)
    }

    var snapshot: ProgramStatistics {
        let verdicts = (0..<5).map { shards.total($0) }
        return ProgramStatistics(runs: verdicts.reduce(0, &+), nanoseconds: shards.total(Self.timeSlot),
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
