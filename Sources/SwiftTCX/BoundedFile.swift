import Glibc
import TCX

/// Whole files read with a limit, so a path that names /dev/zero, a pipe or a huge file
/// fails with a message instead of exhausting memory.
public enum BoundedFile {
    /// Larger than any BPF object a compiler writes for tc; the kernel itself caps programs
    /// at a million instructions (8 MiB).
    public static let objectLimit = 64 << 20

    public static func read(_ path: String, limit: Int, what: String) throws(TCXError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(what, path) }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(what, path)
            }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else {
                throw TCXError(.E2BIG, "\(what) '\(path)' is larger than \(limit) bytes, the most this reads")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func failure(_ what: String, _ path: String) -> TCXError {
        let code = LinuxErrno(rawValue: errno)
        return TCXError(code, "cannot read \(what) '\(path)': \(String(cString: strerror(code.rawValue)))")
    }
}
