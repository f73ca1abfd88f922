import Atomics
import Synchronization

/// The devices as the datapath sees them: an immutable table, so workers look devices up
/// without the control lock.
final class Topology: AtomicReference, Sendable {
    let devices: [UInt32: Device]
    init(_ devices: [UInt32: Device]) { self.devices = devices }
}

/// The world's devices published for the datapath. Control operations apply each change (its
/// own cost, not the table's); the first packet after a change takes a snapshot, which later
/// packets share until the next change.
final class PublishedDevices: Sendable {
    private let devices = Mutex<[UInt32: Device]>([:])
    private let snapshot = ManagedAtomic<Topology?>(nil)

    func apply(added: [Device], removed: [UInt32]) {
        devices.withLock { table in
            for ifindex in removed { table[ifindex] = nil }
            for device in added { table[device.ifindex] = device }
            snapshot.store(nil, ordering: .releasing)
        }
    }

    func reset() {
        devices.withLock { table in
            table = [:]
            snapshot.store(nil, ordering: .releasing)
        }
    }

    func contains(_ ifindex: UInt32) -> Bool {
        if let current = snapshot.load(ordering: .acquiring) { return current.devices[ifindex] != nil }
        return devices.withLock { $0[ifindex] != nil }
    }

    func topology() -> Topology {
        if let current = snapshot.load(ordering: .acquiring) { return current }
        return devices.withLock { table in
            // Made under the lock, so no change can slip between the table and the snapshot.
            if let current = snapshot.load(ordering: .acquiring) { return current }
            let made = Topology(table)
            snapshot.store(made, ordering: .releasing)
            return made
        }
    }
}
