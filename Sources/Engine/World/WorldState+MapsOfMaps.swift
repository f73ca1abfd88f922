import BPFCore
import BPFMaps

/// Maps of maps in a world: a slot holds a reference to its map, as an open file does, so the
/// inner map (and its id) lives while any slot holds it.
extension WorldState {
    /// BPF_MAP_UPDATE_ELEM on a map of maps: the value names a map by fd. The array's flag and
    /// index checks come before the fd is resolved, as in the kernel.
    func updateMapOfMaps(_ outer: MapOfMapsMap, key: [UInt8], value: [UInt8], flags: UInt64) throws(MapError) {
        try outer.checkUpdate(key: key, flags: flags)
        guard value.count == 4 else { throw MapError(.EINVAL, "a map of maps takes a 4-byte map fd, not \(value.count) bytes") }
        let fd = value.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        guard case .map(let inner) = try valueDescriptor(fd, "map") else { throw MapError(.EINVAL, "fd \(fd) is not a map") }
        let displaced = try outer.store(InnerMapReference(id: inner.id, map: inner.map, owner: inner), key: key, flags: flags)
        inner.references += 1
        if let displaced { release(innerMap: displaced) }
    }

    /// The object behind a descriptor an fd array's value names: EBADF when it is not open,
    /// EINVAL when it is no BPF object (`what` names the kind wanted).
    func valueDescriptor(_ fd: UInt32, _ what: String) throws(MapError) -> BPFObject {
        switch descriptors.lookup(fd) {
        case .file(let file): return file.object
        case .notBPF: throw MapError(.EINVAL, "fd \(fd) is not a \(what)")
        case .closed: throw MapError(.EBADF, "fd \(fd) is not open")
        }
    }

    /// Lets go of the reference a slot held.
    func release(innerMap reference: InnerMapReference) {
        guard let object = reference.owner as? MapObject else { return }
        release(object)
    }
}
