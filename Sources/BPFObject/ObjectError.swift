import BPFCore

/// Why an object file was refused: the file, where in it, and what is wrong.
public struct ObjectError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name the object was parsed under.
    public var file: String
    /// The section, symbol, map or program concerned, e.g. `section 'tc'`; nil for the file as a whole.
    public var location: String?
    public var reason: String
    /// What a loader returns for it: EINVAL for most refusals, as libbpf does.
    public var errno: LinuxErrno = .EINVAL

    public init(file: String, location: String? = nil, reason: String) {
        self.file = file
        self.location = location
        self.reason = reason
    }

    public var description: String {
        if let location { return "\(file): \(location): \(reason)" }
        return "\(file): \(reason)"
    }
}

/// Builds errors for one file, so every refusal names it.
struct Failure: Sendable {
    let file: String

    func callAsFunction(_ location: String?, _ reason: String) -> ObjectError {
        ObjectError(file: file, location: location, reason: reason)
    }
}
