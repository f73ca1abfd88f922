/// A path in a world's pin namespace; `..` is refused, so a pin can never name anything
/// outside the world. In a sandbox world a leading `/` is dropped (the script contract); a
/// world on a machine's own bpffs reads an absolute path (`/sys/fs/bpf/app/link`) as the
/// file it names, which must lie below that bpffs (`components(below:)`).
public struct PinPath: Hashable, Sendable, CustomStringConvertible {
    public let components: [String]
    /// The text began with `/`.
    public let isAbsolute: Bool

    public init(_ text: String) throws(TCXError) {
        isAbsolute = text.hasPrefix("/")
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty else { throw TCXError(.EINVAL, "empty pin path '\(text)'") }
        if parts.contains("..") { throw TCXError(.EINVAL, "pin path '\(text)' leaves the pin namespace") }
        components = parts.filter { $0 != "." }
        guard !components.isEmpty else { throw TCXError(.EINVAL, "empty pin path '\(text)'") }
    }

    /// The path relative to the namespace's root, without a leading slash.
    public var description: String { components.joined(separator: "/") }

    /// The components below `root` (a pin namespace's absolute location): a relative path as
    /// it is, an absolute one with `root` taken off the front. EINVAL for an absolute path
    /// outside `root`.
    public func components(below root: String) throws(TCXError) -> [String] {
        guard isAbsolute else { return components }
        let rootParts = root.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard components.count > rootParts.count, Array(components.prefix(rootParts.count)) == rootParts else {
            throw TCXError(.EINVAL, "pin path '/\(self)' is not below this world's bpffs '\(root)'")
        }
        return Array(components.dropFirst(rootParts.count))
    }
}
