/// The tunnel metadata an skb carries (the kernel's `ip_tunnel_info` in a metadata dst), as
/// `bpf_skb_set_tunnel_key` and `bpf_skb_set_tunnel_opt` leave it. Addresses are kept in
/// network byte order, as the kernel keeps them, so IPv4 and IPv6 share one layout.
public struct TunnelInfo: Hashable, Sendable {
    public var ipv6 = false
    /// `key.tun_id` as the host-order number the program gave.
    public var id: UInt64 = 0
    public var tos: UInt8 = 0
    public var ttl: UInt8 = 0
    /// IPv6 flow label, host order (20 bits).
    public var label: UInt32 = 0
    /// `key.u.ipv{4,6}.src` and `.dst`: 4 or 16 bytes.
    public var source: [UInt8] = []
    public var destination: [UInt8] = []
    /// The kernel's `TUNNEL_*` flag bits (bit n of the 16-bit wire encoding).
    public var flags: UInt16 = 0
    public var options: [UInt8] = []

    public init() {}

    static let checksum: UInt16 = 0x0001
    static let key: UInt16 = 0x0004
    static let sequence: UInt16 = 0x0008
    static let dontFragment: UInt16 = 0x0100
    static let noCache: UInt16 = 0x2000
    /// GENEVE, VXLAN, ERSPAN and GTP options present: what `bpf_skb_set_tunnel_opt` marks.
    static let optionsPresent: UInt16 = 0x0800 | 0x1000 | 0x4000 | 0x8000
}
