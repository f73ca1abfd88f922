/// What an update of a device, CPU or socket map asks of the world it runs in: the kernel
/// resolves the value's ifindex in the caller's network namespace and its descriptors in the
/// caller's file table.
public protocol MapDescriptorWorld {
    /// Whether `ifindex` is a device of this world.
    func hasDevice(ifindex: UInt32) -> Bool
    /// Whether `descriptor` is open in this world. An open descriptor that is not the kind a
    /// map takes is refused for what it is not.
    func isOpen(descriptor: Int32) -> Bool
    /// The socket `descriptor` names, if it is one a SOCKMAP or SOCKHASH can hold.
    func socket(descriptor: Int32) -> MapSocket?
}

/// The world an update without one sees: no devices, no open descriptors.
struct EmptyDescriptorWorld: MapDescriptorWorld {
    func hasDevice(ifindex: UInt32) -> Bool { false }
    func isOpen(descriptor: Int32) -> Bool { false }
}

extension MapDescriptorWorld {
    /// A world without sockets has none.
    public func socket(descriptor: Int32) -> MapSocket? { nil }
}
