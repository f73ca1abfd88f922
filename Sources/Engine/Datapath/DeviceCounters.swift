import Atomics

/// Per-device packet counters, like a device's rx/tx/drop statistics.
final class DeviceCounters: Sendable {
    let rxPackets = ManagedAtomic<UInt64>(0)
    let txPackets = ManagedAtomic<UInt64>(0)
    let rxDropped = ManagedAtomic<UInt64>(0)
    let txDropped = ManagedAtomic<UInt64>(0)

    var snapshot: DeviceStatistics {
        DeviceStatistics(rxPackets: rxPackets.load(ordering: .relaxed), txPackets: txPackets.load(ordering: .relaxed),
                         rxDropped: rxDropped.load(ordering: .relaxed), txDropped: txDropped.load(ordering: .relaxed))
    }
}

/// A device's counters at one moment.
public struct DeviceStatistics: Hashable, Sendable {
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64
}
