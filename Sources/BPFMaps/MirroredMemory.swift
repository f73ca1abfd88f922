#if canImport(Glibc)
import Atomics
import Glibc

/// `size` bytes mapped twice, back to back, as the kernel maps a ring buffer's data pages: a record
/// that runs past the end continues at the start, and a program still sees one contiguous block.
final class MirroredMemory: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let size: Int

    private static let names = ManagedAtomic<UInt64>(0)

    /// Nil when the memory or the address space cannot be had.
    init?(size: Int) {
        // Glibc's Swift module leaves memfd_create out; a shared-memory object unlinked at once
        // is the same anonymous file.
        let name = "/swift-tcx-ringbuf-\(getpid())-\(Self.names.loadThenWrappingIncrement(ordering: .relaxed))"
        let fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return nil }
        shm_unlink(name)
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0,
              let area = mmap(nil, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              area != MAP_FAILED else { return nil }
        let fixed = MAP_SHARED | MAP_FIXED
        guard mmap(area, size, PROT_READ | PROT_WRITE, fixed, fd, 0) != MAP_FAILED,
              mmap(area + size, size, PROT_READ | PROT_WRITE, fixed, fd, 0) != MAP_FAILED else {
            munmap(area, 2 * size)
            return nil
        }
        base = area
        self.size = size
    }

    deinit { munmap(base, 2 * size) }
}
#endif
