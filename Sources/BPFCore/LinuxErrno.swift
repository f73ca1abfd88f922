/// A Linux errno value with its symbolic name.
///
/// The kernel answers a refused bpf(2) call with a bare number; scripts print the symbolic
/// name (`EOPNOTSUPP`, never the libc alias `ENOTSUP`), so the table below is Linux's own.
public struct LinuxErrno: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let EPERM = LinuxErrno(rawValue: 1)
    public static let ENOENT = LinuxErrno(rawValue: 2)
    public static let ESRCH = LinuxErrno(rawValue: 3)
    public static let EINTR = LinuxErrno(rawValue: 4)
    public static let EIO = LinuxErrno(rawValue: 5)
    public static let ENXIO = LinuxErrno(rawValue: 6)
    public static let E2BIG = LinuxErrno(rawValue: 7)
    public static let EBADF = LinuxErrno(rawValue: 9)
    public static let EAGAIN = LinuxErrno(rawValue: 11)
    public static let ENOMEM = LinuxErrno(rawValue: 12)
    public static let EACCES = LinuxErrno(rawValue: 13)
    public static let EFAULT = LinuxErrno(rawValue: 14)
    public static let EBUSY = LinuxErrno(rawValue: 16)
    public static let EEXIST = LinuxErrno(rawValue: 17)
    public static let ENODEV = LinuxErrno(rawValue: 19)
    public static let ENOTDIR = LinuxErrno(rawValue: 20)
    public static let EISDIR = LinuxErrno(rawValue: 21)
    public static let EINVAL = LinuxErrno(rawValue: 22)
    public static let EMFILE = LinuxErrno(rawValue: 24)
    public static let ENOSPC = LinuxErrno(rawValue: 28)
    public static let EPIPE = LinuxErrno(rawValue: 32)
    public static let ERANGE = LinuxErrno(rawValue: 34)
    public static let ENAMETOOLONG = LinuxErrno(rawValue: 36)
    public static let ENOSYS = LinuxErrno(rawValue: 38)
    public static let ENOTEMPTY = LinuxErrno(rawValue: 39)
    public static let ELOOP = LinuxErrno(rawValue: 40)
    public static let ENODATA = LinuxErrno(rawValue: 61)
    public static let ENOLINK = LinuxErrno(rawValue: 67)
    public static let EBADFD = LinuxErrno(rawValue: 77)
    public static let EOPNOTSUPP = LinuxErrno(rawValue: 95)
    public static let EADDRNOTAVAIL = LinuxErrno(rawValue: 99)
    public static let ESTALE = LinuxErrno(rawValue: 116)
    public static let ENOTSUPP = LinuxErrno(rawValue: 524)

    private static let names: [Int32: String] = [
        1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG",
        8: "ENOEXEC", 9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES",
        14: "EFAULT", 15: "ENOTBLK", 16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV",
        20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 23: "ENFILE", 24: "EMFILE", 25: "ENOTTY",
        26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 29: "ESPIPE", 30: "EROFS", 31: "EMLINK",
        32: "EPIPE", 33: "EDOM", 34: "ERANGE", 35: "EDEADLK", 36: "ENAMETOOLONG", 37: "ENOLCK",
        38: "ENOSYS", 39: "ENOTEMPTY", 40: "ELOOP", 61: "ENODATA", 62: "ETIME", 67: "ENOLINK",
        71: "EPROTO", 74: "EBADMSG", 75: "EOVERFLOW", 77: "EBADFD", 84: "EILSEQ", 88: "ENOTSOCK", 90: "EMSGSIZE",
        93: "EPROTONOSUPPORT", 95: "EOPNOTSUPP", 97: "EAFNOSUPPORT", 98: "EADDRINUSE",
        99: "EADDRNOTAVAIL", 100: "ENETDOWN", 101: "ENETUNREACH", 105: "ENOBUFS", 110: "ETIMEDOUT", 113: "EHOSTUNREACH", 116: "ESTALE",
        122: "EDQUOT", 125: "ECANCELED", 524: "ENOTSUPP",
    ]

    /// The symbolic name, or `E<number>` for a value the table does not know.
    public var name: String { Self.names[rawValue] ?? "E\(rawValue)" }
    public var description: String { name }

    /// Looks a symbolic name up (`"ESTALE"` → 116).
    public init?(name: String) {
        guard let entry = Self.names.first(where: { $0.value == name }) else { return nil }
        self.rawValue = entry.key
    }
}
