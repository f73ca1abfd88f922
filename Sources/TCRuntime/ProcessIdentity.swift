import BPFMaps
import Glibc

/// What a test-run's "current task" is on the embedded backend: this process. The kernel runs
/// BPF_PROG_TEST_RUN in the caller's context, so its pid, ids, name and cgroup are the caller's.
enum ProcessIdentity {
    static var pidTgid: UInt64 { UInt64(UInt32(bitPattern: getpid())) << 32 | UInt64(UInt32(bitPattern: threadID())) }
    static var uidGid: UInt64 { UInt64(getgid()) << 32 | UInt64(getuid()) }

    /// gettid(), which Swift's Glibc module hides.
    static func threadID() -> Int32 {
        guard let gettid = getThreadID else { return getpid() }
        return gettid()
    }

    private static let getThreadID: (@convention(c) () -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "gettid") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
    }()

    /// The thread's name (`task->comm`, at most 15 bytes).
    static var command: [UInt8] {
        let bytes = readSmallFile("/proc/thread-self/comm", limit: 64) ?? []
        return Array(bytes.prefix { $0 != 0x0a }.prefix(15))
    }

    /// The cgroup v2 directories from the root to this process's cgroup, as ids (their inode
    /// numbers, which are the kernel's cgroup ids): level 0 is the root. Without a cgroup2
    /// mount, the v2 root is /sys/fs/cgroup's inode as before (1 where it is a tmpfs root too).
    static let cgroupLevels: [UInt64] = {
        var ids: [UInt64] = []
        for path in cgroupDirectories.isEmpty ? ["/sys/fs/cgroup"] : cgroupDirectories {
            var info = stat()
            guard stat(path, &info) == 0 else { return ids }
            ids.append(UInt64(info.st_ino))
        }
        return ids
    }()

    /// The cgroup v2 directories of this process's cgroup path, root first
    /// (`CgroupDirectory.processDirectories`).
    static var cgroupDirectories: [String] { CgroupDirectory.processDirectories }

    static var cgroupID: UInt64 { cgroupLevels.last ?? 0 }

    static func ancestorCgroupID(level: UInt64) -> UInt64 {
        level < UInt64(cgroupLevels.count) ? cgroupLevels[Int(level)] : 0
    }

    /// The device and inode of this process's pid namespace, as stat shows them.
    static var pidNamespace: (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat("/proc/self/ns/pid", &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    static func readSmallFile(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, limit) }
        guard count >= 0 else { return nil }
        return Array(bytes.prefix(count))
    }
}
