/// A path in a world's pin namespace. A leading `/` is dropped; `..` is refused, so a pin can
/// never name anything outside the world.
public struct PinPath: Hashable, Sendable, CustomStringConvertible {
    public let components: [String]

    public init(_ text: String) throws(TCXError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else { throw TCXError(.EINVAL, "empty pin path '\(text)'") }
        if parts.contains("..") { throw TCXError(.EINVAL, "pin path '\(text)' leaves the pin namespace") }
        components = parts.filter { $0 != "." }
        guard !components.isEmpty else { throw TCXError(.EINVAL, "empty pin path '\(text)'") }
    }

    /// The path relative to the namespace's root, without a leading slash.
    public var description: String { components.joined(separator: "/") }
}
