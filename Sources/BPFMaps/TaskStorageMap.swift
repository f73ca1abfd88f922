#if canImport(Glibc)
import Glibc
#endif
import BPFCore

/// BPF_MAP_TYPE_TASK_STORAGE: a value per task (`LocalStorageMap`), the owner being the
/// task's thread id. Programs reach the task that runs them (`bpf_get_current_task_btf`);
/// userspace names a task with a pidfd as the key, which stands for the process's leader
/// (thread id = pid), as `pidfd_get_task` makes it in the kernel.
public final class TaskStorageMap: LocalStorageMap, @unchecked Sendable {
    override func lookupElement(_ key: [UInt8]) throws(MapError) -> [UInt8] {
        let owner = try Self.task(key)
        guard let value = storage(ofOwner: owner) else { throw MapError(.ENOENT, "task \(owner) has no storage") }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: valueSize))
    }

    override func updateElement(_ key: [UInt8], _ value: [UInt8], flags: UInt64) throws(MapError) {
        let owner = try Self.task(key)
        try store(value, for: owner, flags: flags)
    }

    override func deleteElement(_ key: [UInt8]) throws(MapError) {
        let owner = try Self.task(key)
        guard remove(owner: owner) else { throw MapError(.ENOENT, "task \(owner) has no storage") }
    }

    override func nextKeyElement(_ key: [UInt8]?) throws(MapError) -> [UInt8] {
        throw MapError(.ENOTSUPP, "task_storage has no keys to walk")
    }

    /// The task a pidfd key names: its pid, from the descriptor's fdinfo. A descriptor that is
    /// not open or not a pidfd EBADF (measured on Linux 6.18), a pidfd of a process that is
    /// gone ESRCH.
    static func task(_ key: [UInt8]) throws(MapError) -> UInt64 {
        let fd = key.withPointer { $0.loadUnaligned(as: Int32.self) }
        guard fd >= 0, fcntl(fd, F_GETFD) >= 0 else { throw MapError(.EBADF, "fd \(fd) is not open") }
        guard let info = Self.readSmall("/proc/self/fdinfo/\(fd)") else { throw MapError(.EBADF, "fd \(fd) has no fdinfo") }
        for line in info.split(separator: "\n") where line.hasPrefix("Pid:") {
            guard let pid = Int64(line.dropFirst(4).trimmingCharacters()), pid > 0 else {
                throw MapError(.ESRCH, "the process of pidfd \(fd) is gone")
            }
            return UInt64(pid)
        }
        throw MapError(.EBADF, "fd \(fd) is not a pidfd")
    }

    private static func readSmall(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = fread(&buffer, 1, buffer.count, file)
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}

private extension Substring {
    func trimmingCharacters() -> Substring {
        drop { $0 == " " || $0 == "\t" }.prefix { $0 != " " && $0 != "\t" }
    }
}
