import Atomics

/// Per-device packet counters, like a device's rx/tx/drop statistics.
final class DeviceCounters: @unchecked Sendable {
    // @unchecked: the block is only touched atomically (`AtomicSlot`).
    private let block = AtomicSlot.allocateBlock(4)
    var rxPackets: AtomicSlot { AtomicSlot(block, 0) }
    var txPackets: AtomicSlot { AtomicSlot(block, 1) }
    var rxDropped: AtomicSlot { AtomicSlot(block, 2) }
    var txDropped: AtomicSlot { AtomicSlot(block, 3) }

    deinit { block.deallocate() }

    var snapshot: DeviceStatistics {
        DeviceStatistics(rxPackets: rxPackets.load(), txPackets: txPackets.load(),
                         rxDropped: rxDropped.load(), txDropped: txDropped.load())
    }
}

/// A device's counters at one moment.
public struct DeviceStatistics: Hashable, Sendable {
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64
}
