import BPFMaps
/// A packet as a tc program sees it: the bytes (from the Ethernet header on, with headroom),
/// the metadata fields, and the header positions the packet helpers need.
///
/// One skb belongs to one run at a time; a datapath thread makes its own for each packet. So
/// its fields are not checked for exclusive access at run time (`@exclusivity(unchecked)`).
public final class SKBuff {
    @exclusivity(unchecked) public var metadata: SKBMetadata
    let buffer: PacketBuffer
    /// The cookie of the skb's socket, made on first use and kept, as the kernel keeps it in
    /// the socket (repeated test-runs on one skb see the same one).
    lazy var socketCookie: UInt64 = SocketCookies.next()
    /// Socket-local storage made for the skb's own socket: it goes with the skb, as the kernel
    /// frees it with the test-run's socket (SKStorageHelpers).
    var ownSocketStorage: [SKStorageMap] = []
    /// Copies `bpf_clone_redirect` sent and the datapath has not taken yet (a test-run drops
    /// them with the skb, as the kernel's copies leave where the test cannot see them).
    @exclusivity(unchecked) public internal(set) var pendingClones: [ClonedPacket] = []

    /// Whether the skb belongs to a socket (`__sk_buff.sk` not NULL), asked without copying it.
    var hasSocket: Bool {
        switch metadata.socket {
        case .some: true
        case .none: false
        }
    }

    /// The copies sent since the last call, for the datapath to deliver.
    public func takeClones() -> [ClonedPacket] {
        guard !pendingClones.isEmpty else { return [] }
        defer { pendingClones = [] }
        return pendingClones
    }

    /// Bytes in front of the packet a fresh skb reserves: NET_SKB_PAD (64 on x86-64).
    public static let defaultHeadroom = 64
    /// The longest packet the size-changing helpers make: SKB_MAX_ALLOC with 4 KiB pages.
    public static let maxLength = 16_064

    /// An skb holding `packet` (starting at its Ethernet header) with `metadata`; the network
    /// header is set after the 14-byte Ethernet header.
    public init(packet: [UInt8], metadata: SKBMetadata = SKBMetadata(), headroom: Int = SKBuff.defaultHeadroom) {
        self.metadata = metadata
        buffer = PacketBuffer(bytes: packet, headroom: headroom)
        buffer.networkHeader = buffer.macHeader + min(14, packet.count)
    }

    /// The packet as it is now.
    public var packet: [UInt8] { buffer.bytes }
    public var length: Int { buffer.length }

    /// The EtherType the kernel's `eth_type_trans` derives, and the packet type it assigns on a
    /// device whose own address is `deviceAddress` (loopback: all zero, no broadcast address).
    public static func classify(_ packet: [UInt8], deviceAddress: [UInt8] = [0, 0, 0, 0, 0, 0],
                                broadcast: [UInt8]? = nil) -> (protocol: UInt16, pktType: UInt32) {
        guard packet.count >= 14 else { return (0, 0) }
        if broadcast == nil, deviceAddress.allSatisfy({ $0 == 0 }) {
            return packet.withUnsafeBytes { classifyOnLoopback($0) }
        }
        let destination = Array(packet[0..<6])
        let pktType: UInt32
        if destination == deviceAddress {
            pktType = 0                                   // PACKET_HOST
        } else if destination[0] & 1 != 0 {
            pktType = destination == broadcast ? 1 : 2    // PACKET_BROADCAST / PACKET_MULTICAST
        } else {
            pktType = 3                                   // PACKET_OTHERHOST
        }
        let type = UInt16(packet[12]) << 8 | UInt16(packet[13])
        if type >= 0x0600 { return (type, pktType) }
        // 802.3 frames: raw IPX (0xffff after the header) or 802.2 LLC.
        if packet.count >= 16, packet[14] == 0xff, packet[15] == 0xff { return (0x0001, pktType) }
        return (0x0004, pktType)
    }

    /// `classify` on a device with the all-zero address and no broadcast address, as the
    /// datapath asks it of every frame at every device: read in place, nothing copied.
    static func classifyOnLoopback(_ packet: UnsafeRawBufferPointer) -> (protocol: UInt16, pktType: UInt32) {
        guard packet.count >= 14 else { return (0, 0) }
        let pktType: UInt32
        if (0..<6).allSatisfy({ packet[$0] == 0 }) {
            pktType = 0                                   // PACKET_HOST
        } else if packet[0] & 1 != 0 {
            pktType = 2                                   // PACKET_MULTICAST (no broadcast address)
        } else {
            pktType = 3                                   // PACKET_OTHERHOST
        }
        let type = UInt16(packet[12]) << 8 | UInt16(packet[13])
        if type >= 0x0600 { return (type, pktType) }
        if packet.count >= 16, packet[14] == 0xff, packet[15] == 0xff { return (0x0001, pktType) }
        return (0x0004, pktType)
    }

    /// Sets what a device fills in when the skb reaches it (`eth_type_trans` as `classify`
    /// does it with the default addresses, the device's index), in place.
    public func arrive(at ifindex: UInt32, ingress: Bool) {
        (metadata.protocol, metadata.pktType) = Self.classifyOnLoopback(UnsafeRawBufferPointer(buffer.data))
        metadata.ifindex = ifindex
        if ingress { metadata.ingressIfindex = ifindex }
    }

    deinit {
        for map in ownSocketStorage { map.release(socket: socketCookie) }
    }
}
