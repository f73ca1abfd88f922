import Atomics
import TCRuntime

/// A packet on its way through the embedded datapath. It is one skb from the device it entered
/// to where it ends, as in the kernel: every program on the path runs on the same skb, so its
/// bytes and the fields programs write (mark, priority, …) travel with it and nothing is copied
/// between programs.
public struct Frame {
    let skb: SKBuff

    public init(_ bytes: [UInt8], metadata: SKBMetadata = SKBMetadata()) {
        skb = SKBuff(packet: bytes, metadata: metadata)
    }

    /// The packet as it is now (a copy).
    public var bytes: [UInt8] { skb.packet }

    /// The packet as a capture shows it: an outer VLAN tag the skb carries beside the bytes
    /// (received frames are untagged before tc) put back after the MAC addresses, as libpcap
    /// puts it back from the packet socket's auxiliary data.
    var capturedBytes: [UInt8] {
        let packet = skb.packet
        let fields = skb.metadata
        guard fields.vlanPresent, packet.count >= 12 else { return packet }
        let tag = [UInt8(fields.vlanProto >> 8), UInt8(fields.vlanProto & 0xff),
                   UInt8(fields.vlanTCI >> 8), UInt8(fields.vlanTCI & 0xff)]
        return Array(packet[..<12]) + tag + Array(packet[12...])
    }

    public var metadata: SKBMetadata {
        get { skb.metadata }
        nonmutating set { skb.metadata = newValue }
    }

    /// What the kernel's skb_scrub_packet drops when a frame is forwarded into another
    /// device's receive path (veth, netkit, a redirect to ingress or to a peer): the route, and
    /// with it the tunnel metadata `bpf_skb_set_tunnel_key` attached. Loopback keeps it.
    func scrub() {
        if skb.metadata.tunnel != nil { skb.metadata.tunnel = nil }
    }

    /// Sets what `device` fills in when the frame reaches it (`SKBuff.arrive`).
    func arrive(at device: Device, ingress: Bool) {
        skb.arrive(at: device.ifindex, ingress: ingress,
                   address: device.hardwareAddress.load(ordering: .relaxed), hasBroadcast: device.hasBroadcast)
    }
}

/// Where a program asked the packet to go (bpf_redirect): a device's egress, or its ingress
/// with BPF_F_INGRESS.
public struct Redirect: Hashable, Sendable {
    public let ifindex: UInt32
    public let ingress: Bool
    /// bpf_redirect_peer: the ingress of `ifindex`'s peer.
    public let peer: Bool
    public init(ifindex: UInt32, ingress: Bool, peer: Bool = false) {
        self.ifindex = ifindex
        self.ingress = ingress
        self.peer = peer
    }
}

/// What one program run produced.
struct ProgramRun {
    let returnValue: Int32
    let redirect: Redirect?
}
