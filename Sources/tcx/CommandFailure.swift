import BPFCore
#if canImport(Glibc)
import Glibc
#endif

/// A command that could not do what it was asked: ArgumentParser prints `Error: ` and the
/// description, and exits with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Whole files in and out, with the reason (strerror) when that fails. `-` is stdin.
enum FileBytes {
    /// At most `kind.limit` bytes: a larger input is refused, not read on.
    static func read(_ path: String, _ kind: BoundedInput.Kind) throws(CommandFailure) -> [UInt8] {
        do { return try BoundedInput.read(path, kind) } catch { throw CommandFailure(error.description) }
    }

    static func write(_ bytes: [UInt8], to path: String, what: String) throws(CommandFailure) {
        guard let file = fopen(path, "wb") else { throw CommandFailure("cannot write \(what) '\(path)': \(reason())") }
        // stdio buffers: a full device (/dev/full, a full disk) often answers only at fclose.
        let written = fwrite(bytes, 1, bytes.count, file) == bytes.count
        let flushed = fflush(file) == 0
        let code = errno
        let closed = fclose(file) == 0
        guard written, flushed, closed else {
            throw CommandFailure("cannot write \(what) '\(path)': \(String(cString: strerror(closed ? code : errno)))")
        }
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
