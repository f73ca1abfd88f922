/// A copy of the packet `bpf_clone_redirect` sent to a device: the bytes and skb fields as they
/// were at the call (the copy shares the skb's metadata, tunnel key included).
public struct ClonedPacket: Hashable, Sendable {
    public var target: RedirectTarget
    public var packet: [UInt8]
    public var metadata: SKBMetadata

    public init(target: RedirectTarget, packet: [UInt8], metadata: SKBMetadata) {
        self.target = target
        self.packet = packet
        self.metadata = metadata
    }
}
