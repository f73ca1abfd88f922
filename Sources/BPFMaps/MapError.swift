import BPFCore

/// A refused map operation: the errno the kernel gives for it and a sentence saying why.
public struct MapError: Error, Equatable, Sendable, CustomStringConvertible {
    public let errno: LinuxErrno
    public let reason: String

    public init(_ errno: LinuxErrno, _ reason: String) {
        self.errno = errno
        self.reason = reason
    }

    public var description: String { "\(errno.name): \(reason)" }
}
