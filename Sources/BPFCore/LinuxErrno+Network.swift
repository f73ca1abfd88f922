/// The errno values the network-state operations give (sockets, routes).
extension LinuxErrno {
    public static let EAFNOSUPPORT = LinuxErrno(rawValue: 97)
    public static let EADDRINUSE = LinuxErrno(rawValue: 98)
    public static let ENETUNREACH = LinuxErrno(rawValue: 101)
    public static let EHOSTUNREACH = LinuxErrno(rawValue: 113)
}

extension LinuxErrno {
    public static let ENOBUFS = LinuxErrno(rawValue: 105)
}
