import BPFCore

extension ObjectSpec {
    /// Reads and parses the object at `path`; a file that cannot be read is an ObjectError too.
    public static func load(path: String) throws(ObjectError) -> ObjectSpec {
        let bytes: [UInt8]
        do { bytes = try BoundedInput.read(path, .object) } catch {
            throw ObjectError(file: path, reason: error.description)
        }
        return try parse(bytes: bytes, name: path)
    }
}
