/// Per-device packet counters, like a device's rx/tx/drop statistics: per thread, as the
/// kernel's are per CPU (`CounterShards`).
final class DeviceCounters: @unchecked Sendable {
    // @unchecked: `CounterShards` orders its own accesses.
    enum Counter: Int {
        case rxPackets, txPackets, rxDropped, txDropped
    }
    private let shards = CounterShards(counters: 4)

    deinit { shards.deallocate() }

    /// Counts one packet on `counter` in the calling thread's shard.
    @inline(__always)
    func count(_ counter: Counter, in shard: CounterShard) {
        shards.add(counter.rawValue, in: shard)
    }

    var snapshot: DeviceStatistics {
        DeviceStatistics(rxPackets: shards.total(Counter.rxPackets.rawValue),
                         txPackets: shards.total(Counter.txPackets.rawValue),
                         rxDropped: shards.total(Counter.rxDropped.rawValue),
                         txDropped: shards.total(Counter.txDropped.rawValue))
    }
}

/// A device's counters at one moment.
public struct DeviceStatistics: Hashable, Sendable {
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64
}
