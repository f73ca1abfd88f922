import BPFCore
import Glibc
import TCX

/// The network state of a kernel world, through rtnetlink and sockets inside its namespace.
extension KernelSystem: NetworkStateSystem {
    public func setMAC(ifindex: UInt32, _ mac: MACAddress) throws(TCXError) {
        try world.run { state throws(TCXError) in
            var message = NetlinkMessage(type: NetlinkABI.newLink, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck)
            message.appendLinkHeader(index: Int32(bitPattern: ifindex))
            message.appendAttribute(NetworkStateABI.iflaAddress, mac.bytes)
            try state.netlink.perform(message, "RTM_NEWLINK ifindex \(ifindex) address \(mac)")
        }
    }

    public func setMTU(ifindex: UInt32, _ mtu: UInt32) throws(TCXError) {
        try world.run { state throws(TCXError) in
            var message = NetlinkMessage(type: NetlinkABI.newLink, flags: NetlinkABI.flagRequest | NetlinkABI.flagAck)
            message.appendLinkHeader(index: Int32(bitPattern: ifindex))
            message.appendAttribute(NetworkStateABI.iflaMTU, u32: mtu)
            try state.netlink.perform(message, "RTM_NEWLINK ifindex \(ifindex) mtu \(mtu)")
        }
    }

    public func addAddress(ifindex: UInt32, _ prefix: IPPrefix) throws(TCXError) {
        try world.run { state throws(TCXError) in
            var message = NetlinkMessage(type: HostNetlinkABI.newAddress, flags: Self.createFlags)
            var header = KernelStruct(size: HostNetlinkABI.ifaddrSize)
            header.set(HostNetlinkABI.ifaFamily, UInt64(prefix.address.family))
            header.set(HostNetlinkABI.ifaPrefixLength, UInt64(prefix.length))
            header.set(HostNetlinkABI.ifaIndex, ifindex)
            if !prefix.address.isIPv4 { header.set(NetworkStateABI.ifaFlagsByte, UInt64(NetworkStateABI.ifaNoDAD)) }
            message.appendFamilyHeader(header)
            message.appendAttribute(HostNetlinkABI.ifaLocal, prefix.address.bytes)
            message.appendAttribute(HostNetlinkABI.ifaAddress, prefix.address.bytes)
            if !prefix.address.isIPv4 { message.appendAttribute(NetworkStateABI.ifaFlagsAttribute, u32: NetworkStateABI.ifaNoDAD) }
            try state.netlink.perform(message, "RTM_NEWADDR \(prefix) on ifindex \(ifindex)")
            if !prefix.address.isIPv4 { try Self.awaitIPv6Routes(prefix, state.netlink) }
        }
    }

    /// IPv6 installs an address's local route (and, forwarding, its subnet-router anycast
    /// route) from a work queue after RTM_NEWADDR returns; the contract wants them in place
    /// when the line prints, so wait for them (a few milliseconds at most).
    private static func awaitIPv6Routes(_ prefix: IPPrefix, _ netlink: RouteNetlink) throws(TCXError) {
        let network = prefix.address.masked(to: Int(prefix.length))
        var wanted: [(IPAddress, UInt8)] = [(prefix.address, NetworkStateABI.typeLocal)]
        if prefix.length < 127 && network != prefix.address { wanted.append((network, NetworkStateABI.typeAnycast)) }
        for _ in 0..<200 {
            var ready = true
            for (address, type) in wanted where try routeType(address, netlink) != type { ready = false }
            if ready { return }
            usleep(5_000)
        }
        throw TCXError(LinuxErrno(rawValue: 110), "the kernel did not install the routes of \(prefix) within a second")
    }

    /// The type of the route RTM_GETROUTE picks for `address` (nil when it answers with an error).
    private static func routeType(_ address: IPAddress, _ netlink: RouteNetlink) throws(TCXError) -> UInt8? {
        var message = NetlinkMessage(type: NetworkStateABI.getRoute, flags: NetlinkABI.flagRequest)
        var header = KernelStruct(size: NetworkStateABI.rtmsgSize)
        header.set(NetworkStateABI.rtmFamily, UInt64(address.family))
        header.set(NetworkStateABI.rtmDestinationLength, UInt64(address.bytes.count * 8))
        message.appendFamilyHeader(header)
        message.appendAttribute(NetworkStateABI.rtaDestination, address.bytes)
        guard let reply = try? netlink.dump(message, "RTM_GETROUTE \(address)").first,
              reply.count >= NetworkStateABI.rtmsgSize else { return nil }
        return reply[reply.startIndex + NetworkStateABI.rtmType.offset]
    }

    public func addRoute(_ route: RouteSpec) throws(TCXError) {
        try world.run { state throws(TCXError) in
            var message = NetlinkMessage(type: NetworkStateABI.newRoute, flags: Self.createFlags)
            var header = KernelStruct(size: NetworkStateABI.rtmsgSize)
            let destination = route.destination.address.masked(to: Int(route.destination.length))
            header.set(NetworkStateABI.rtmFamily, UInt64(destination.family))
            header.set(NetworkStateABI.rtmDestinationLength, UInt64(route.destination.length))
            header.set(NetworkStateABI.rtmTable, NetworkStateABI.tableMain)
            header.set(NetworkStateABI.rtmProtocol, NetworkStateABI.protocolBoot)
            // As `ip route add` does: IPv4 routes without a gateway have link scope.
            let linkScope = route.gateway == nil && destination.isIPv4
            header.set(NetworkStateABI.rtmScope, linkScope ? NetworkStateABI.scopeLink : NetworkStateABI.scopeUniverse)
            header.set(NetworkStateABI.rtmType, NetworkStateABI.typeUnicast)
            message.appendFamilyHeader(header)
            if route.destination.length > 0 { message.appendAttribute(NetworkStateABI.rtaDestination, destination.bytes) }
            message.appendAttribute(NetworkStateABI.rtaOutputInterface, u32: route.ifindex)
            if let gateway = route.gateway { message.appendAttribute(NetworkStateABI.rtaGateway, gateway.bytes) }
            try state.netlink.perform(message, "RTM_NEWROUTE \(route.destination)")
        }
    }

    public func addNeighbour(ifindex: UInt32, address: IPAddress, mac: MACAddress) throws(TCXError) {
        try world.run { state throws(TCXError) in
            var message = NetlinkMessage(type: NetworkStateABI.newNeighbour, flags: Self.createFlags)
            var header = KernelStruct(size: NetworkStateABI.ndmsgSize)
            header.set(NetworkStateABI.ndmFamily, UInt64(address.family))
            header.set(NetworkStateABI.ndmIfindex, ifindex)
            header.set(NetworkStateABI.ndmState, NetworkStateABI.nudPermanent)
            message.appendFamilyHeader(header)
            message.appendAttribute(NetworkStateABI.ndaDestination, address.bytes)
            message.appendAttribute(NetworkStateABI.ndaLinkAddress, mac.bytes)
            try state.netlink.perform(message, "RTM_NEWNEIGH \(address) on ifindex \(ifindex)")
        }
    }

    public func listen(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) {
        try world.run { state throws(TCXError) in
            state.sockets.append(try ListeningSocket.open(transport, address: address, port: port))
        }
    }

    public func openSocket(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) -> Handle {
        try world.run { state throws(TCXError) in state.adopt(try ListeningSocket.open(transport, address: address, port: port)) }
    }

    public func testRun(_ program: Handle, packet: [UInt8], repeat count: UInt32, ifindex: UInt32) throws(TCXError) -> TestRunResult {
        try world.run { _ throws(TCXError) in try TestRun.run(program, packet: packet, repeat: count, ifindex: ifindex) }
    }

    private static var createFlags: UInt16 {
        NetlinkABI.flagRequest | NetlinkABI.flagAck | NetlinkABI.flagCreate | NetlinkABI.flagExclusive
    }
}

/// A socket of the world's namespace bound to an address (TCP: listening), closed with the world.
enum ListeningSocket {
    static func open(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) -> Int32 {
        let family = address.isIPv4 ? AF_INET : AF_INET6
        let type = transport == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TCXError(LinuxErrno(rawValue: errno), "socket() failed") }
        var storage = sockaddr_storage()
        let length: Int
        if address.isIPv4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) } }
            length = MemoryLayout<sockaddr_in>.size
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) } }
            length = MemoryLayout<sockaddr_in6>.size
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        if bound != 0 || (transport == .tcp && Glibc.listen(fd, 16) != 0) {
            let code = errno
            Glibc.close(fd)
            throw TCXError(LinuxErrno(rawValue: code), "bind/listen \(transport.rawValue) \(address) port \(port) failed")
        }
        return fd
    }
}

/// Turns forwarding on in the current thread's network namespace (a sandbox world's).
enum Forwarding {
    static func enable() throws(TCXError) {
        for path in ["/proc/sys/net/ipv4/conf/all/forwarding", "/proc/sys/net/ipv6/conf/all/forwarding"] {
            let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw TCXError(LinuxErrno(rawValue: errno), "open \(path) failed") }
            let written = Glibc.write(fd, "1\n", 2)
            let code = errno
            Glibc.close(fd)
            guard written == 2 else { throw TCXError(LinuxErrno(rawValue: code), "write \(path) failed") }
        }
    }
}
