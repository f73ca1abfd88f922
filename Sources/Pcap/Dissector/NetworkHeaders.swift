// IPv4 and IPv6 headers as the dissector reports them.
public struct IPv4Header: Hashable, Sendable {
    /// IHL times four: 20 to 60.
    public var headerLength: Int
    public var totalLength: UInt16
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// In bytes (the field counts 8-byte units).
    public var fragmentOffset: Int
    public var ttl: UInt8
    public var protocolNumber: UInt8
    public var source: IPv4Address
    public var destination: IPv4Address

    public var isFragment: Bool { moreFragments || fragmentOffset != 0 }
}

public struct IPv6Fragment: Hashable, Sendable {
    public var offset: Int
    public var moreFragments: Bool
    public var identification: UInt32

    public init(offset: Int, moreFragments: Bool, identification: UInt32) {
        self.offset = offset
        self.moreFragments = moreFragments
        self.identification = identification
    }
}

public struct IPv6Header: Hashable, Sendable {
    public var trafficClass: UInt8
    public var flowLabel: UInt32
    public var payloadLength: UInt16
    /// The fixed header's next header field.
    public var nextHeader: UInt8
    public var hopLimit: UInt8
    public var source: IPv6Address
    public var destination: IPv6Address
    /// Extension headers walked, in order (0 hop-by-hop, 43 routing, 44 fragment, 60 dest. options, 51 AH...).
    public var extensionHeaders: [UInt8]
    /// The protocol after the extension headers, nil when they could not all be read.
    public var upperLayerProtocol: UInt8?
    public var fragment: IPv6Fragment?
    /// Fixed header plus extension headers walked.
    public var headerLength: Int
}

public enum NetworkHeader: Hashable, Sendable {
    case ipv4(IPv4Header)
    case ipv6(IPv6Header)
}
