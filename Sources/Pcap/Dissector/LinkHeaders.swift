// Link-layer headers the dissector understands: Ethernet with VLAN tags, and Linux's cooked
// captures (SLL and SLL2), which tcpdump -i any writes.
public struct VLANTag: Hashable, Sendable {
    /// 0x8100 (802.1Q) or 0x88a8 (802.1ad, the outer "S-tag"), or 0x9100 (old QinQ).
    public var tpid: UInt16
    public var priority: UInt8
    public var dropEligible: Bool
    public var id: UInt16

    public init(tpid: UInt16, priority: UInt8, dropEligible: Bool, id: UInt16) {
        self.tpid = tpid
        self.priority = priority
        self.dropEligible = dropEligible
        self.id = id
    }
}

public struct EthernetHeader: Hashable, Sendable {
    public var destination: MACAddress
    public var source: MACAddress
    /// Outermost first.
    public var vlanTags: [VLANTag]
    /// The type after the tags; below 0x0600 it is an 802.3 length instead.
    public var etherType: UInt16
    /// Bytes up to the payload: 14 plus 4 per tag.
    public var length: Int
}

/// The header of a LINKTYPE_LINUX_SLL (version 1) or LINUX_SLL2 (version 2) packet.
public struct CookedHeader: Hashable, Sendable {
    public var version: Int
    /// 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.
    public var packetType: UInt16
    /// The ARPHRD_ device type (1 Ethernet, 772 loopback, 65534 none...).
    public var hardwareType: UInt16
    /// The sender's link-layer address, at most 8 bytes.
    public var address: [UInt8]
    /// Usually an EtherType; small values mean 802.3/802.2 frames, and netlink uses its own.
    public var protocolType: UInt16
    /// SLL2 only.
    public var interfaceIndex: UInt32?
    /// 16 for SLL, 20 for SLL2.
    public var length: Int

    /// The protocol field read as an EtherType, when it is one.
    public var etherType: UInt16? {
        let netlink: UInt16 = 824
        let can: UInt16 = 280
        guard protocolType >= 0x0600, hardwareType != netlink, hardwareType != can else { return nil }
        return protocolType
    }
}
