#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one way user input is read: a file (or `-`, standard input) read whole, with a limit
/// that fits what it holds, so /dev/zero, a pipe that never ends or a huge file is refused with
/// a message instead of growing until memory runs out. Every refusal names the file and says
/// why in words.
public enum BoundedInput {
    /// What a read is for, with the most bytes it may hold.
    public struct Kind: Sendable {
        public let what: String
        public let limit: Int
        public init(_ what: String, limit: Int) {
            self.what = what
            self.limit = limit
        }

        /// Larger than any BPF object a compiler writes for tc.
        public static let object = Kind("object file", limit: 64 << 20)
        /// Raw bytecode: the kernel caps a program at a million 8-byte instructions; as hex
        /// text each byte takes up to three characters.
        public static let bytecode = Kind("bytecode program", limit: 3 * (8 << 20))
        /// A packet for a test run: far beyond the 64 KiB an IP packet can hold.
        public static let packet = Kind("data-in file", limit: 1 << 20)
        /// A tcx script: room for hundreds of thousands of lines.
        public static let script = Kind("script", limit: 32 << 20)
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let errno: LinuxErrno
        /// Why, without the file: "No such file or directory", "is a directory", …
        public let reason: String
        public let description: String
    }

    /// The bytes of `path` (`-` is standard input), at most `kind.limit` of them.
    public static func read(_ path: String, _ kind: Kind) throws(Failure) -> [UInt8] {
        let label = path == "-" ? "standard input" : "\(kind.what) '\(path)'"
        let fd = path == "-" ? dup(0) : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot read \(label)", errno) }
        defer { close(fd) }
        var status = stat()
        if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw Failure(path: path, errno: .EISDIR, reason: "is a directory, not a file",
                          description: "\(label) is a directory, not a file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read \(label)", errno)
            }
            if count == 0 { return bytes }
            guard count <= kind.limit - bytes.count else {
                throw Failure(path: path, errno: .EFBIG, reason: "is larger than \(kind.limit) bytes",
                              description: "\(label) is larger than \(kind.limit) bytes, the limit for \(kind.what)s")
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The file as UTF-8 text: a leading byte order mark is dropped; bytes that are not UTF-8
    /// are refused with the line they are on.
    public static func text(_ path: String, _ kind: Kind) throws(Failure) -> String {
        var bytes = try read(path, kind)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(path: path, errno: .EILSEQ, reason: "is not UTF-8 text",
                          description: "\(kind.what) '\(path)' is not UTF-8 text (line \(lineOfFirstInvalidUTF8(bytes)))")
        }
        return text
    }

    /// The line (from 1) of the first byte sequence that does not decode as UTF-8.
    private static func lineOfFirstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int {
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        var line = 1
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            if scalar == "\n" { line += 1 }
        }
        return line
    }

    private static func failure(_ path: String, _ what: String, _ code: Int32) -> Failure {
        let errno = LinuxErrno(rawValue: code)
        let reason = String(cString: strerror(code))
        return Failure(path: path, errno: errno, reason: reason, description: "\(what): \(reason)")
    }
}

extension LinuxErrno {
    public static let EFBIG = LinuxErrno(rawValue: 27)
    public static let EILSEQ = LinuxErrno(rawValue: 84)
}
