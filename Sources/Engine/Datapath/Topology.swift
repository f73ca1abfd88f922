import Atomics

/// The devices as the datapath sees them: an immutable table, replaced whole when a device is
/// created or deleted, so workers look devices up without the control lock.
final class Topology: AtomicReference, Sendable {
    let devices: [UInt32: Device]
    init(_ devices: [UInt32: Device]) { self.devices = devices }
}
