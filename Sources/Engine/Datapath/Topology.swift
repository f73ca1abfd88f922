import Atomics
import Synchronization

/// The devices as the datapath sees them: an immutable table, so workers look devices up
/// without the control lock.
final class Topology: Sendable {
    let devices: [UInt32: Device]
    /// The same devices by ifindex, when the ifindexes are small (the usual case): a frame
    /// looks its devices up without hashing. Unretained (`devices` holds them for as long as
    /// the table lives), so a lookup that borrows (`withDevice`) costs no retain and release.
    private let byIndex: [Unmanaged<Device>?]

    init(_ devices: [UInt32: Device]) {
        self.devices = devices
        let highest = devices.keys.max() ?? 0
        guard highest < Self.directLimit else {
            byIndex = []
            return
        }
        var table = [Unmanaged<Device>?](repeating: nil, count: Int(highest) + 1)
        for (ifindex, device) in devices { table[Int(ifindex)] = Unmanaged.passUnretained(device) }
        byIndex = table
    }

    /// Ifindexes below this are looked up in `byIndex`.
    private static let directLimit: UInt32 = 4_096

    @inline(__always)
    func device(_ ifindex: UInt32) -> Device? {
        if Int(ifindex) < byIndex.count { return byIndex[Int(ifindex)]?.takeUnretainedValue() }
        return byIndex.isEmpty ? devices[ifindex] : nil
    }

    /// `body` on the device with `ifindex`, borrowed (the table holds it); nil when there is none.
    @inline(__always)
    func withDevice<T>(_ ifindex: UInt32, _ body: (Device) -> T?) -> T? {
        if Int(ifindex) < byIndex.count {
            guard let device = byIndex[Int(ifindex)] else { return nil }
            return device._withUnsafeGuaranteedRef(body)
        }
        guard byIndex.isEmpty, let device = devices[ifindex] else { return nil }
        return body(device)
    }
}

/// The world's devices published for the datapath. Control operations apply each change (its
/// own cost, not the table's); the first packet after a change takes a snapshot, which later
/// packets share until the next change.
///
/// A datapath thread keeps the snapshot it last used (`DatapathThread`) with the generation it
/// was taken at; a frame checks the generation with a plain load and takes the snapshot again
/// only after a change. Generations come from one process-wide counter, so a generation a
/// thread kept from another (even a freed) table never matches this one's.
final class PublishedDevices: @unchecked Sendable {
    // @unchecked: the generation slot is only touched atomically; the rest is a `Mutex`.
    private struct Table {
        var devices: [UInt32: Device] = [:]
        var snapshot: Topology?
    }
    private let table = Mutex(Table())
    /// Read by every frame: an `AtomicSlot` (a `ManagedAtomic` costs a class dispatch).
    private let generationSlot = AtomicSlot.allocateBlock(1)
    private var generation: AtomicSlot { AtomicSlot(generationSlot, 0) }
    private static let generations = ManagedAtomic<UInt64>(0)

    init() {
        generation.storeReleasing(Self.nextGeneration())
    }

    deinit { generationSlot.deallocate() }

    private static func nextGeneration() -> UInt64 {
        generations.wrappingIncrementThenLoad(ordering: .relaxed)
    }

    func apply(added: [Device], removed: [UInt32]) {
        table.withLock { table in
            for ifindex in removed { table.devices[ifindex] = nil }
            for device in added { table.devices[device.ifindex] = device }
            table.snapshot = nil
            generation.storeReleasing(Self.nextGeneration())
        }
    }

    func reset() {
        table.withLock { table in
            table = Table()
            generation.storeReleasing(Self.nextGeneration())
        }
    }

    func contains(_ ifindex: UInt32) -> Bool {
        topology().device(ifindex) != nil
    }

    func topology() -> Topology {
        DatapathThread.withCurrent { topology(on: $0) }
    }

    /// `body` on the current snapshot, borrowed from `thread`'s cache while nothing changed
    /// since it was taken (the thread holds it: no retain and release per frame).
    @inline(__always)
    func withTopology<T>(on thread: DatapathThread, _ body: (Topology) -> T) -> T {
        if thread.topologyGeneration == generation.loadAcquiring(), let cached = thread.topologyReference {
            return cached._withUnsafeGuaranteedRef(body)
        }
        return body(topology(on: thread))
    }

    /// The current snapshot, from `thread`'s cache while nothing changed since it was taken.
    @inline(__always)
    func topology(on thread: DatapathThread) -> Topology {
        let now = generation.loadAcquiring()
        if thread.topologyGeneration == now, let cached = thread.topology { return cached }
        // The table is read after the generation: a snapshot newer than `now` is kept under
        // `now` and taken again at the next frame, never an older one.
        let made = table.withLock { table in
            if let current = table.snapshot { return current }
            let made = Topology(table.devices)
            table.snapshot = made
            return made
        }
        thread.topology = made
        thread.topologyGeneration = now
        return made
    }
}
