import BPFCore

/// Why the multi-program layer refused a change. Carries the kernel's errno and a sentence
/// that names the rule and the positions involved.
public struct MultiProgRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public let errno: LinuxErrno
    public let reason: String
    public init(_ errno: LinuxErrno, _ reason: String) {
        self.errno = errno
        self.reason = reason
    }
    public var description: String { "\(errno.name): \(reason)" }
}
