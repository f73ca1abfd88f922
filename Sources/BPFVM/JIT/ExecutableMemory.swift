import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Machine code in pages that are never writable and executable at once: mapped read-write,
/// filled, then switched to read-execute. Unmapped when the last owner goes.
///
/// Each program's code starts at another cache line (`nextLine`, within the room its last page
/// leaves): started at the page's first byte, the entries of every program fell in one set of
/// the instruction cache, so a tc chain of more programs than the set has ways missed it at
/// every program.
final class ExecutableMemory: @unchecked Sendable {
    // @unchecked: the pages are written only in init, before anyone can see them.
    let base: UnsafeRawPointer
    private let mapped: UnsafeMutableRawPointer
    private let mappedBytes: Int

    /// Cache lines of 64 bytes a page of 4 KiB holds: at most this many offsets, taken in turn.
    private static let lines = 64
    private static let nextLine = Atomic<Int>(0)

    /// Nil when the system refuses the mapping or the protection change.
    init?(code: [UInt8]) {
        guard !code.isEmpty else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return nil }
        // Only the room the last page has left is used: spreading costs no memory.
        let size = (code.count + page - 1) / page * page
        let lines = min(Self.lines, (size - code.count) / 64 + 1)
        let offset = Self.nextLine.wrappingAdd(1, ordering: .relaxed).oldValue % lines * 64
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { return nil }
        code.withUnsafeBytes { source in
            guard let bytes = source.baseAddress else { return }
            (mapped + offset).copyMemory(from: bytes, byteCount: source.count)
        }
        guard mprotect(mapped, size, PROT_READ | PROT_EXEC) == 0 else {
            munmap(mapped, size)
            return nil
        }
        self.mapped = mapped
        base = UnsafeRawPointer(mapped + offset)
        mappedBytes = size
    }

    deinit {
        munmap(mapped, mappedBytes)
    }
}
