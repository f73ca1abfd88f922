#if canImport(Glibc)
import Glibc
#endif
import BPFCore

/// BPF_MAP_TYPE_CGRP_STORAGE: a value per cgroup v2 (`LocalStorageMap`, the owner being the
/// cgroup id, its directory's inode). Userspace names a cgroup with a descriptor of its
/// directory; programs the cgroup they reach through the task that runs them (TCRuntime's
/// `CgroupStorageHelpers`), by the same id.
public final class CgroupStorageMap: LocalStorageMap, @unchecked Sendable {
    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let owner = try Self.cgroup(key)
        guard let value = storage(ofOwner: owner) else { throw MapError(.ENOENT, "cgroup \(owner) has no storage") }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: valueSize))
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        let owner = try Self.cgroup(key)
        try store(value, for: owner, flags: flags)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let owner = try Self.cgroup(key)
        guard remove(owner: owner) else { throw MapError(.ENOENT, "cgroup \(owner) has no storage") }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "cgrp_storage has no keys to walk")
    }

    /// The cgroup id a descriptor key names; EBADF for one that is not a cgroup v2 directory.
    static func cgroup(_ key: [UInt8]) throws(MapError) -> UInt64 {
        let fd = key.withPointer { $0.loadUnaligned(as: Int32.self) }
        guard let directory = CgroupDirectory.of(descriptor: fd) else {
            throw MapError(.EBADF, "fd \(fd) is not a cgroup v2 directory")
        }
        return directory.inode
    }
}
