#if canImport(Glibc)
import Glibc
#endif
import BPFCore
import Synchronization

/// BPF_MAP_TYPE_INODE_STORAGE: a value per inode (`LocalStorageMap`). Only LSM and tracing
/// programs reach an inode, so a tc object declares the map for its other programs; libbpf
/// creates it all the same, and userspace names an inode with any open descriptor of it (the
/// kernel's `fget_raw`: an O_PATH descriptor too), so two descriptors of one file share a value.
public final class InodeStorageMap: LocalStorageMap, @unchecked Sendable {
    /// An inode is its device and number; each gets an owner id the first time it is named.
    private struct Inode: Hashable { let device: UInt64; let number: UInt64 }
    private let owners = Mutex([Inode: UInt64]())

    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let owner = try self.owner(key)
        guard let value = storage(ofOwner: owner) else { throw MapError(.ENOENT, "the inode has no storage") }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: valueSize))
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        try store(value, for: try owner(key), flags: flags)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        guard remove(owner: try owner(key)) else { throw MapError(.ENOENT, "the inode has no storage") }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "inode_storage has no keys to walk")
    }

    /// The owner id of the inode a descriptor key names; EBADF for a descriptor that is not open.
    private func owner(_ key: [UInt8]) throws(MapError) -> UInt64 {
        let fd = key.withPointer { $0.loadUnaligned(as: Int32.self) }
        var status = stat()
        guard fd >= 0, fstat(fd, &status) == 0 else { throw MapError(.EBADF, "fd \(fd) is not open") }
        let inode = Inode(device: UInt64(status.st_dev), number: UInt64(status.st_ino))
        return owners.withLock { owners in
            if let known = owners[inode] { return known }
            let next = UInt64(owners.count) + 1
            owners[inode] = next
            return next
        }
    }
}
