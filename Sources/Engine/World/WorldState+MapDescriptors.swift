import BPFMaps

/// What a device or socket map's update resolves in this world: ifindexes among its devices,
/// descriptors in its table.
extension WorldState: MapDescriptorWorld {
    func hasDevice(ifindex: UInt32) -> Bool { devices[ifindex] != nil }

    func isOpen(descriptor: Int32) -> Bool {
        guard let fd = UInt32(exactly: descriptor) else { return false }
        if case .closed = descriptors.lookup(fd) { return false }
        return true
    }

    /// A device unregistered leaves every device map slot that held it, as in the kernel.
    func forgetDevice(ifindex: UInt32) {
        for object in maps.values { (object.map as? DeviceMap)?.removeDevice(ifindex: ifindex) }
    }
}
