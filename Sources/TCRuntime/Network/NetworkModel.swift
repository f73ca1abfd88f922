import BPFCore

/// A device as the network helpers see it.
public struct NetDevice: Hashable, Sendable {
    public var name: String
    public var ifindex: UInt32
    public var mac: [UInt8]
    public var mtu: UInt32
    public var isLoopback: Bool
    public var peerIfindex: UInt32?

    public init(name: String, ifindex: UInt32, mac: [UInt8], mtu: UInt32, isLoopback: Bool, peerIfindex: UInt32? = nil) {
        self.name = name
        self.ifindex = ifindex
        self.mac = mac
        self.mtu = mtu
        self.isLoopback = isLoopback
        self.peerIfindex = peerIfindex
    }

    /// The hardware header (Ethernet on every device here, loopback included).
    static let hardHeaderLength: UInt32 = 14
    /// Below these MTUs the kernel takes IPv4 (inetdev) or IPv6 (addrconf) off the device.
    public static let ipv4MinimumMTU: UInt32 = 68
    public static let ipv6MinimumMTU: UInt32 = 1280
    public var hasIPv4: Bool { mtu >= Self.ipv4MinimumMTU }
    /// Loopback keeps its IPv6 device state (only its addresses go).
    public var hasIPv6: Bool { mtu >= Self.ipv6MinimumMTU || isLoopback }
}

/// An IP address on a device.
public struct NetAddress: Hashable, Sendable {
    public var ifindex: UInt32
    public var address: [UInt8]
    public var prefixLength: Int

    public init(ifindex: UInt32, address: [UInt8], prefixLength: Int) {
        self.ifindex = ifindex
        self.address = address
        self.prefixLength = prefixLength
    }
}

/// The route types a FIB entry can have (RTN_*).
public enum RouteType: UInt8, Hashable, Sendable {
    case unicast = 1, local = 2, broadcast = 3, anycast = 4, multicast = 5, blackhole = 6, unreachable = 7, prohibit = 8
}

/// One FIB entry. `table` is 254 (main) or 255 (local).
public struct NetRoute: Hashable, Sendable {
    public var destination: [UInt8]
    public var prefixLength: Int
    public var ifindex: UInt32
    public var gateway: [UInt8]?
    public var type: RouteType
    public var metric: UInt32
    public var table: UInt32
    /// The preferred source address the kernel gives its prefix routes.
    public var preferredSource: [UInt8]?
    /// Link scope: a route to a directly connected prefix (no gateway, not local).
    public var isLinkScope: Bool { gateway == nil && type == .unicast }

    public init(destination: [UInt8], prefixLength: Int, ifindex: UInt32, gateway: [UInt8]? = nil,
                type: RouteType = .unicast, metric: UInt32 = 0, table: UInt32 = NetRoute.mainTable,
                preferredSource: [UInt8]? = nil) {
        self.destination = destination
        self.prefixLength = prefixLength
        self.ifindex = ifindex
        self.gateway = gateway
        self.type = type
        self.metric = metric
        self.table = table
        self.preferredSource = preferredSource
    }

    public static let mainTable: UInt32 = 254
    public static let localTable: UInt32 = 255

    public func matches(_ address: [UInt8]) -> Bool {
        address.count == destination.count && NetRoute.prefix(address, prefixLength) == NetRoute.prefix(destination, prefixLength)
    }

    public static func prefix(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = max(0, min(8, length - index * 8))
            return byte & (kept == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff00 >> kept))
        }
    }
}

/// A neighbour entry (permanent: always valid).
public struct NetNeighbour: Hashable, Sendable {
    public var ifindex: UInt32
    public var address: [UInt8]
    public var mac: [UInt8]

    public init(ifindex: UInt32, address: [UInt8], mac: [UInt8]) {
        self.ifindex = ifindex
        self.address = address
        self.mac = mac
    }
}

/// A socket a world opened with `listen`.
public struct NetSocket: Hashable, Sendable {
    /// IPPROTO_TCP (6) or IPPROTO_UDP (17).
    public var protocolNumber: UInt8
    public var address: [UInt8]
    public var port: UInt16
    /// The socket's cookie-like identity, unique in its world.
    public var identity: UInt64

    public init(protocolNumber: UInt8, address: [UInt8], port: UInt16, identity: UInt64) {
        self.protocolNumber = protocolNumber
        self.address = address
        self.port = port
        self.identity = identity
    }
}

/// Everything the network helpers consult, as one value.
public struct NetworkSnapshot: Hashable, Sendable {
    public var devices: [UInt32: NetDevice] = [:]
    public var addresses: [NetAddress] = []
    public var routes: [NetRoute] = []
    public var neighbours: [NetNeighbour] = []
    public var sockets: [NetSocket] = []
    /// `net.ipv4.conf.all.forwarding` / `net.ipv6.conf.all.forwarding`.
    public var forwardsIPv4 = true
    public var forwardsIPv6 = true

    public init() {}

    public func device(_ ifindex: UInt32) -> NetDevice? { devices[ifindex] }

    func neighbour(_ ifindex: UInt32, _ address: [UInt8]) -> NetNeighbour? {
        // Loopback resolves every address to one entry, as the kernel keys it by 0.
        neighbours.first { $0.ifindex == ifindex && $0.address == address }
    }
}
