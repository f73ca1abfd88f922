import Glibc
import Synchronization

/// One kernel BTF object per object file's `.BTF`, shared by its maps and programs as libbpf
/// shares its object's BTF fd: the kernel compares kptr types by BTF object and id, so a map
/// created with one copy of the BTF and a program loaded with another disagree ("invalid kptr
/// access, R2 type=ptr_x expected=ptr_x"). The last few are kept open, so the maps and the
/// programs of an object loaded together share one; an evicted one is closed (every caller
/// holds its own duplicate, and what the kernel made with it its own reference).
enum SharedBTF {
    /// Objects loaded one after another reuse their own entry; more is only fds held open.
    private static let capacity = 8
    private static let loaded = Mutex<[(bytes: [UInt8], fd: Int32)]>([])

    /// A new fd (the caller closes it) of the kernel BTF object for `bytes`, loaded now or
    /// earlier.
    static func fd(for bytes: [UInt8]) -> ProgramLoader.BTFOutcome {
        let shared = loaded.withLock { entries -> Int32? in
            // Duplicated under the lock, so an eviction cannot close it first.
            guard let fd = entries.first(where: { $0.bytes == bytes })?.fd else { return nil }
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            return copy >= 0 ? copy : nil
        }
        if let shared { return .success(shared) }
        let outcome = ProgramLoader.loadBTF(bytes)
        guard case .success(let fd) = outcome else { return outcome }
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { return outcome }  // Not kept: the caller owns the one fd.
        loaded.withLock { entries in
            entries.append((bytes, copy))
            if entries.count > capacity { _ = Glibc.close(entries.removeFirst().fd) }
        }
        return .success(fd)
    }
}
