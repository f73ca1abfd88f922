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
    /// type owning the map (which it claims if nobody did). The slot holds a reference to it,
    /// taken here and noted in `slotProgramsTaken` so an update that fails afterwards gives it
    /// back (`updateSlotProgramMap`).
    func redirectProgram(descriptor: Int32, attachType: AttachType, map: BPFMap) -> UInt32? {
        guard let fd = UInt32(exactly: descriptor), case .file(let file) = descriptors.lookup(fd),
              case .program(let program) = file.object,
              program.type == .xdp, program.expectedAttachType == attachType,
              let owner = maps.values.first(where: { $0.map === map }) else { return nil }
        if let type = owner.ownerType, type != program.type { return nil }
        owner.ownerType = program.type
        retain(.program(program))
        slotProgramsTaken.append(program.id)
        return program.id
    }

    /// An update or delete of a devmap or cpumap slot: the slot holds its new program (taken by
    /// `redirectProgram`) and lets go of the one it ran before, as the kernel drops a slot's
    /// program when the slot is emptied or given another (measured: SlotProgramLifetimeTests).
    func changeSlot(of map: SlotProgramMap, key: [UInt8], _ change: () throws(MapError) -> Void) throws(MapError) {
        let before = map.slotProgram(key: key)
        slotProgramsTaken.removeAll()
        do {
            try change()
        } catch {
            for id in slotProgramsTaken { releaseSlotProgram(id) }
            slotProgramsTaken.removeAll()
            throw error
        }
        slotProgramsTaken.removeAll()
        if before != 0 { releaseSlotProgram(before) }
    }

    /// Lets go of the reference a slot held to program `id`.
    func releaseSlotProgram(_ id: UInt32) {
        if let program = programs[id] { release(program) }
    }

    /// A socket closed leaves every socket map that held it, as sock_map_close unlinks it.
    /// Its SK_STORAGE values go with it (bpf_sk_storage_free).
    func forgetSocket(identity: UInt64) {
        for object in maps.values {
            (object.map as? SocketMap)?.forget(identity: identity)
            (object.map as? SKStorageMap)?.remove(socket: identity)
        }
    }

    /// A device unregistered leaves every device map slot that held it, as in the kernel.
    func forgetDevice(ifindex: UInt32) {
        for object in maps.values {
            for id in (object.map as? DeviceMap)?.removeDevice(ifindex: ifindex) ?? [] { releaseSlotProgram(id) }
        }
    }
}
