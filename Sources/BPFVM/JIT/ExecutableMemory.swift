#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Machine code in pages that are never writable and executable at once: mapped read-write,
/// filled, then switched to read-execute. Unmapped when the last owner goes.
final class ExecutableMemory: @unchecked Sendable {
    // @unchecked: the pages are written only in init, before anyone can see them.
    let base: UnsafeRawPointer
    private let mappedBytes: Int

    /// Nil when the system refuses the mapping or the protection change.
    init?(code: [UInt8]) {
        guard !code.isEmpty else { return nil }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return nil }
        let size = (code.count + page - 1) / page * page
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else { return nil }
        code.withUnsafeBytes { source in
            guard let bytes = source.baseAddress else { return }
            mapped.copyMemory(from: bytes, byteCount: source.count)
        }
        guard mprotect(mapped, size, PROT_READ | PROT_EXEC) == 0 else {
            munmap(mapped, size)
            return nil
        }
        base = UnsafeRawPointer(mapped)
        mappedBytes = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), mappedBytes)
    }
}
