/// The map types that hold devices, CPUs and sockets rather than values: what XDP and socket
/// programs redirect to. A tc program may look some of them up; userspace fills them with
/// ifindexes, CPU queue sizes and socket descriptors.
extension MapType {
    /// BPF_MAP_TYPE_DEVMAP: slots of network devices (an ifindex, and an optional XDP program).
    public static let devmap = MapType(rawValue: 14)
    /// BPF_MAP_TYPE_SOCKMAP: slots of sockets.
    public static let sockmap = MapType(rawValue: 15)
    /// BPF_MAP_TYPE_CPUMAP: a queue per CPU for XDP redirects.
    public static let cpumap = MapType(rawValue: 16)
    /// BPF_MAP_TYPE_XSKMAP: slots of AF_XDP sockets.
    public static let xskmap = MapType(rawValue: 17)
    /// BPF_MAP_TYPE_SOCKHASH: sockets under keys of any size.
    public static let sockhash = MapType(rawValue: 18)
    /// BPF_MAP_TYPE_REUSEPORT_SOCKARRAY: the sockets of a SO_REUSEPORT group.
    public static let reuseportSockarray = MapType(rawValue: 20)
    /// BPF_MAP_TYPE_DEVMAP_HASH: network devices under any 32-bit key.
    public static let devmapHash = MapType(rawValue: 25)

    /// Names as bpftool prints them, for the types this file adds.
    var redirectMapName: String? {
        switch self {
        case .devmap: "devmap"
        case .sockmap: "sockmap"
        case .cpumap: "cpumap"
        case .xskmap: "xskmap"
        case .sockhash: "sockhash"
        case .reuseportSockarray: "reuseport_sockarray"
        case .devmapHash: "devmap_hash"
        default: nil
        }
    }
}

/// The errnos only device, CPU and socket map updates give.
extension LinuxErrno {
    /// A CPU map's queue size past the kernel's largest.
    public static let EOVERFLOW = LinuxErrno(rawValue: 75)
    /// A socket map's value is a descriptor of something that is no socket.
    public static let ENOTSOCK = LinuxErrno(rawValue: 88)
}
