import BPFCore
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

    /// A socket the world opened with a descriptor (`openSocket`); its identity is its cookie.
    func socket(descriptor: Int32) -> MapSocket? {
        guard let fd = UInt32(exactly: descriptor), let identity = descriptors.sockets[fd] else { return nil }
        return MapSocket(identity: identity, cookie: identity)
    }

    /// An XDP program a devmap or cpumap slot may run: loaded for that map kind, and of the
    /// type owning the map (which it claims if nobody did). The world keeps the program while
    /// any slot may hold it: it is released with the world (a slot emptied does not drop it).
    func redirectProgram(descriptor: Int32, attachType: AttachType, map: BPFMap) -> UInt32? {
        guard let fd = UInt32(exactly: descriptor), case .file(let file) = descriptors.lookup(fd),
              case .program(let program) = file.object,
              program.type == .xdp, program.expectedAttachType == attachType,
              let owner = maps.values.first(where: { $0.map === map }) else { return nil }
        if let type = owner.ownerType, type != program.type { return nil }
        owner.ownerType = program.type
        if slotPrograms.insert(program.id).inserted { retain(.program(program)) }
        return program.id
    }

    /// A socket closed leaves every socket map that held it, as sock_map_close unlinks it.
    func forgetSocket(identity: UInt64) {
        for object in maps.values { (object.map as? SocketMap)?.forget(identity: identity) }
    }

    /// A device unregistered leaves every device map slot that held it, as in the kernel.
    func forgetDevice(ifindex: UInt32) {
        for object in maps.values { (object.map as? DeviceMap)?.removeDevice(ifindex: ifindex) }
    }
}
