#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zeroed, page-aligned memory from mmap: the kernel's vmalloc'd map areas are page-aligned too, and
/// untouched pages cost nothing, so a large array map only pays for what programs touch.
final class PageMemory: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    /// Nil when the address space cannot be had (the kernel answers ENOMEM).
    init?(byteCount: Int) {
        let size = max(MapLimits.pageSize, (byteCount + MapLimits.pageSize - 1) & ~(MapLimits.pageSize - 1))
        guard byteCount >= 0, size >= byteCount else { return nil }
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, flags, -1, 0), p != MAP_FAILED else { return nil }
        base = p
        self.byteCount = size
    }

    deinit { munmap(base, byteCount) }
}
