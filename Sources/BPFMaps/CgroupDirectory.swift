import Glibc

/// A cgroup v2 directory, named as the kernel's cgroup is: by its device and inode (the inode
/// number is the cgroup id).
public struct CgroupDirectory: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The cgroup `descriptor` is open on; nil when it is not a directory of the cgroup v2 file
    /// system (a cgroup v1 directory is no cgroup here either, as for the kernel's
    /// cgroup_get_from_fd). cgroup v2 has one superblock, so its directories share the device
    /// of its mount point.
    public static func of(descriptor: Int32) -> CgroupDirectory? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
              let point = mountPoint, let root = at(point), root.device == UInt64(info.st_dev) else { return nil }
        return CgroupDirectory(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    private static func at(_ path: String) -> CgroupDirectory? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return CgroupDirectory(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// This process's cgroup v2 and every ancestor up to the hierarchy's root: the cgroups its
    /// tasks and the sockets it makes are "under". Read once, like the rest of the process's
    /// identity; empty when the process sees no cgroup v2 hierarchy.
    public static let processAncestry: Set<CgroupDirectory> = Set(processDirectories.compactMap(at))

    /// Where the cgroup v2 hierarchy is mounted, read once; nil without one.
    static let mountPoint: String? = readSmall("/proc/self/mountinfo").flatMap(cgroup2Mount)?.point

    /// The cgroup v2 directories from the hierarchy's root down to this process's cgroup, root
    /// first, read once: wherever the mount is (on a hybrid machine /sys/fs/cgroup/unified).
    public static let processDirectories: [String] = {
        guard let mounts = readSmall("/proc/self/mountinfo"), let cgroups = readSmall("/proc/self/cgroup") else { return [] }
        return processDirectories(mountinfo: mounts, cgroup: cgroups)
    }()

    /// The directories of the `0::` line's path below the first `cgroup2` mount of `mountinfo`
    /// (fields: id, parent, major:minor, root, mount point, options…, "-", type, source). The
    /// mount may show a sub-tree (a cgroup namespace or a bind mount): the path is taken below
    /// its root. Empty without either line, or for a path outside the mount.
    public static func processDirectories(mountinfo: String, cgroup: String) -> [String] {
        guard let mount = cgroup2Mount(mountinfo),
              let line = cgroup.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return [] }
        var components = line.dropFirst(3).split(separator: "/").map(String.init)
        let rootComponents = mount.root.split(separator: "/").map(String.init)
        guard components.starts(with: rootComponents) else { return [] }
        components.removeFirst(rootComponents.count)
        var path = mount.point == "/" ? "" : mount.point
        var directories = [mount.point]
        for component in components {
            path += "/" + component
            directories.append(path)
        }
        return directories
    }

    /// The first cgroup2 mount of `mountinfo`: its mount point and the hierarchy path it shows.
    private static func cgroup2Mount(_ mountinfo: String) -> (point: String, root: String)? {
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count, dash >= 5,
                  fields[dash + 1] == "cgroup2" else { continue }
            return (String(fields[4]), String(fields[3]))
        }
        return nil
    }

    /// A /proc file of at most 1 MiB (mountinfo grows with the mounts), as text; nil when it
    /// cannot be read.
    private static func readSmall(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let limit = 1 << 20
        var bytes = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + count }, limit - count) }
            if got <= 0 { break }
            count += got
        }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }
}
