import BPFCore

/// A refused operation: the errno the kernel would give, and why.
///
/// The kernel only says `ERANGE`; the embedded engine also says which rule fired and at which
/// positions, so a person can act on it. Scripts print only `errno`, the CLI and API both.
public struct TCXError: Error, Hashable, Sendable, CustomStringConvertible {
    public var errno: LinuxErrno
    public var reason: String

    public init(_ errno: LinuxErrno, _ reason: String = "") {
        self.errno = errno
        self.reason = reason
    }

    public var description: String {
        reason.isEmpty ? errno.name : "\(errno.name): \(reason)"
    }
}
