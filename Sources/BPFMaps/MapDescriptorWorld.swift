import BPFCore

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
    /// The id of the XDP program `descriptor` names if `map` (a devmap or cpumap) may run it:
    /// loaded with `attachType` (BPF_XDP_DEVMAP or BPF_XDP_CPUMAP) and of the type that owns
    /// the map, which it then owns if nobody did (the kernel's bpf_prog_map_compatible).
    func redirectProgram(descriptor: Int32, attachType: AttachType, map: BPFMap) -> UInt32?
}

/// The world an update without one sees: no devices, no open descriptors.
struct EmptyDescriptorWorld: MapDescriptorWorld {
    func hasDevice(ifindex: UInt32) -> Bool { false }
    func isOpen(descriptor: Int32) -> Bool { false }
}

extension MapDescriptorWorld {
    /// A world without sockets has none.
    public func socket(descriptor: Int32) -> MapSocket? { nil }
    /// A world without programs has none.
    public func redirectProgram(descriptor: Int32, attachType: AttachType, map: BPFMap) -> UInt32? { nil }
}
