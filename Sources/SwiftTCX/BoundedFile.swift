import BPFCore
import TCX

/// Whole files read with a limit, so a path that names /dev/zero, a pipe or a huge file
/// fails with a message instead of exhausting memory (BoundedInput under another name, with
/// the library's error type).
public enum BoundedFile {
    public static let objectLimit = BoundedInput.Kind.object.limit

    public static func read(_ path: String, limit: Int, what: String) throws(TCXError) -> [UInt8] {
        do { return try BoundedInput.read(path, .init(what, limit: limit)) } catch {
            throw TCXError(error.errno, error.description)
        }
    }
}
