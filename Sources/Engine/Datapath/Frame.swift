import TCRuntime

/// A packet on its way through the embedded datapath: its bytes and the skb fields programs
/// read and write (mark, priority, …), which travel with it from hook to hook.
public struct Frame: Sendable {
    public var bytes: [UInt8]
    public var metadata: SKBMetadata

    public init(_ bytes: [UInt8], metadata: SKBMetadata = SKBMetadata()) {
        self.bytes = bytes
        self.metadata = metadata
    }

    /// Sets what a device fills in when the frame reaches it.
    mutating func arrive(at ifindex: UInt32, ingress: Bool) {
        (metadata.protocol, metadata.pktType) = SKBuff.classify(bytes)
        metadata.ifindex = ifindex
        if ingress { metadata.ingressIfindex = ifindex }
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
