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
    static func read(_ path: String, what: String) throws(CommandFailure) -> [UInt8] {
        // stdin through its own FILE: the C global is shared mutable state to Swift 6.
        let file: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(dup(0), "rb") : fopen(path, "rb")
        guard let file else { throw CommandFailure("cannot read \(what) '\(path)': \(reason())") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            bytes.append(contentsOf: buffer[0..<count])
            if count < buffer.count { break }
        }
        if ferror(file) != 0 { throw CommandFailure("cannot read \(what) '\(path)': \(reason())") }
        return bytes
    }

    static func write(_ bytes: [UInt8], to path: String, what: String) throws(CommandFailure) {
        guard let file = fopen(path, "wb") else { throw CommandFailure("cannot write \(what) '\(path)': \(reason())") }
        defer { fclose(file) }
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
            throw CommandFailure("cannot write \(what) '\(path)': \(reason())")
        }
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
