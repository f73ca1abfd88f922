import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Machine code in pages that are never writable and executable at once: mapped read-write,
/// filled, then switched to read-execute. Unmapped when the last owner goes.
///
/// Each program's code starts at another cache line of its first page (`nextLine`): started
/// at the page's first byte, the entries of every program fell in one set of the instruction
/// cache, so a tc chain of more programs than the set has ways missed it at every program.
final class ExecutableMemory: @unchecked Sendable {
    // @unchecked: the pages are written only in init, before anyone can see them.
    let base: UnsafeRawPointer
    private let mapped: UnsafeMutableRawPointer
    private let mappedBytes: Int

    /// Cache lines of 64 bytes a page of 4 KiB holds: the offsets code starts at, in turn.
    private static let lines = 64
    private static let nextLine = Atomic<Int>(0)

    /// Nil when the system refuses the mapping or the protection change.
    init?(code: [UInt8]) {
        guard !code.isEmpty else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return nil }
        let line = Self.nextLine.wrappingAdd(1, ordering: .relaxed).oldValue % Self.lines
        let offset = line * 64 % page
        let size = (offset + code.count + page - 1) / page * page
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
