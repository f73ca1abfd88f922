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
    var socketCookie: UInt64 {
        if let cookie { return cookie }
        let made = SocketCookies.next()
        cookie = made
        return made
    }
    @exclusivity(unchecked) private var cookie: UInt64?
    /// Socket-local storage made for the skb's own socket: it goes with the skb, as the kernel
    /// frees it with the test-run's socket (SKStorageHelpers).
    @exclusivity(unchecked) var ownSocketStorage: [SKStorageMap] = []
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

    /// Makes this skb hold `packet` as a new one made by `init(packet:)`
    /// would: nothing of the packet it held before survives (its socket storage is released, its
    /// cookie and clones dropped). For a datapath thread that sends frame after frame on one skb.
    public func reuse(packet: [UInt8]) {
        releaseSocketStorage()
        cookie = nil
        if !pendingClones.isEmpty { pendingClones = [] }
        metadata.reset()
        buffer.reset(bytes: packet, headroom: Self.defaultHeadroom)
        buffer.networkHeader = buffer.macHeader + min(14, packet.count)
    }

    @inline(__always)
    private func releaseSocketStorage() {
        guard !ownSocketStorage.isEmpty, let cookie else { return }
        for map in ownSocketStorage { map.release(socket: cookie) }
        ownSocketStorage = []
    }

    /// The packet as it is now.
    public var packet: [UInt8] { buffer.bytes }
    public var length: Int { buffer.length }

    /// The EtherType the kernel's `eth_type_trans` derives, and the packet type it assigns on a
    /// device whose own address is `deviceAddress` (loopback: all zero, and no broadcast address).
    public static func classify(_ packet: [UInt8], deviceAddress: [UInt8] = [0, 0, 0, 0, 0, 0],
                                hasBroadcast: Bool = false) -> (protocol: UInt16, pktType: UInt32) {
        packet.withUnsafeBytes { classify($0, address: packedAddress(deviceAddress), hasBroadcast: hasBroadcast) }
    }

    /// A hardware address's six bytes in the low 48 bits of a number, in network order.
    public static func packedAddress(_ bytes: [UInt8]) -> UInt64 {
        bytes.prefix(6).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Sets what a device fills in when the skb reaches it, in place.
    /// - Ingress, as the kernel's receive path before tc: `eth_type_trans` against the device's
    ///   address (`address`: the six bytes in network order in the low 48 bits; loopback has no
    ///   broadcast address), the outer 802.1Q/802.1AD tag moved into `vlan_*` (`skb_vlan_untag`),
    ///   and `wire_len` the length without the Ethernet header (the kernel takes it after
    ///   `eth_type_trans` pulled the header).
    /// - Egress, as `__dev_queue_xmit`: `pkt_type` stays as the sender left it (a new frame is
    ///   PACKET_HOST), the protocol is the EtherType, `wire_len` the whole length.
    public func arrive(at ifindex: UInt32, ingress: Bool, address: UInt64 = 0, hasBroadcast: Bool = false) {
        let packet = UnsafeRawBufferPointer(buffer.data)
        if ingress {
            (metadata.protocol, metadata.pktType) = Self.classify(packet, address: address, hasBroadcast: hasBroadcast)
            if VLANHelpers.isVLAN(metadata.protocol), !metadata.vlanPresent, length >= 18 {
                let proto = metadata.protocol
                let tci = UInt16(bigEndian: buffer.data.loadUnaligned(fromByteOffset: 14, as: UInt16.self))
                if VLANHelpers.removeTag(self) == nil {
                    metadata.vlanPresent = true
                    metadata.vlanProto = proto
                    metadata.vlanTCI = tci
                }
            }
            metadata.ingressIfindex = ifindex
            metadata.wireLen = UInt32(clamping: max(length - 14, 0))
        } else {
            metadata.protocol = Self.classify(packet, address: address, hasBroadcast: hasBroadcast).protocol
            metadata.wireLen = UInt32(clamping: length)
        }
        metadata.ifindex = ifindex
    }

    /// `eth_type_trans` read in place: the EtherType, and the packet type on a device whose own
    /// address is `address` (see `arrive`).
    static func classify(_ packet: UnsafeRawBufferPointer, address: UInt64,
                         hasBroadcast: Bool) -> (protocol: UInt16, pktType: UInt32) {
        guard packet.count >= 14 else { return (0, 0) }
        var destination: UInt64 = 0
        for i in 0..<6 { destination = destination << 8 | UInt64(packet[i]) }
        let pktType: UInt32
        if destination == address {
            pktType = 0                                   // PACKET_HOST
        } else if packet[0] & 1 != 0 {
            let broadcast = hasBroadcast && destination == 0xffff_ffff_ffff
            pktType = broadcast ? 1 : 2                   // PACKET_BROADCAST / PACKET_MULTICAST
        } else {
            pktType = 3                                   // PACKET_OTHERHOST
        }
        let type = UInt16(packet[12]) << 8 | UInt16(packet[13])
        if type >= 0x0600 { return (type, pktType) }
        // 802.3 frames: raw IPX (0xffff after the header) or 802.2 LLC.
        if packet.count >= 16, packet[14] == 0xff, packet[15] == 0xff { return (0x0001, pktType) }
        return (0x0004, pktType)
    }

    deinit {
        releaseSocketStorage()
    }
}
