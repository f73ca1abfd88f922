#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ObjectSpec {
    /// Reads and parses the object at `path`; a file that cannot be read is an ObjectError too.
    public static func load(path: String) throws(ObjectError) -> ObjectSpec {
        guard let file = fopen(path, "rb") else {
            throw ObjectError(file: path, reason: "cannot open: " + String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { bytes += buffer[0 ..< count] }
            if count < buffer.count {
                if ferror(file) != 0 { throw ObjectError(file: path, reason: "read failed: " + String(cString: strerror(errno))) }
                break
            }
        }
        return try parse(bytes: bytes, name: path)
    }
}
