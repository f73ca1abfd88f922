/// Frames no program and no capture can see: their fate is known without preparing an skb.
///
/// A frame whose whole way passes only hooks with no tcx program and no classic filter ends in a
/// device's local stack, and nothing on that way reads the skb's fields or bytes: the fields a
/// device fills in on arrival are read only by programs, and a sink (a capture) sees the bytes.
/// So such a frame costs the device lookups and the counters, as in the kernel an skb through
/// an empty clsact is a few loads. A frame that meets a program anywhere takes the whole path
/// from its start (`PacketFlow`), which fills in each device's fields in order.
///
/// Each hook is read once with a plain load of what it publishes; a program attached meanwhile
/// is seen by the next frame, as with the whole path (a frame that passed a hook before the
/// attach).
extension PacketFlow {
    /// Where a frame sent into `ifindex` ends when no program and no capture sees it; nil when
    /// one might (a program on its way, a netkit, a missing device): then the whole path runs.
    static func unobservedFate(at ifindex: UInt32, ingress: Bool, in topology: Topology) -> PacketFate? {
        guard let device = topology.device(ifindex), device.hasNoPrograms(ingress: ingress) else { return nil }
        if ingress {
            device.counters.rxPackets.wrappingIncrement()
            return .delivered(ifindex: ifindex)
        }
        // The egress hooks say NEXT: the device puts the frame on its wire, one hop.
        let receiver: Device
        switch device.kind {
        case .loopback:
            receiver = device
        case .veth:
            guard let peer = device.peerIfindex, let found = topology.device(peer) else { return nil }
            receiver = found
        case .netkitPrimary, .netkitPeer, .other:
            return nil
        }
        guard receiver.hasNoPrograms(ingress: true) else { return nil }
        device.counters.txPackets.wrappingIncrement()
        receiver.counters.rxPackets.wrappingIncrement()
        return .delivered(ifindex: receiver.ifindex)
    }
}

extension Device {
    /// Whether the direction's tcx chain and classic filter list are both empty.
    @inline(__always)
    func hasNoPrograms(ingress: Bool) -> Bool {
        ingress ? tcxIngress.published.isEmpty && classicIngress.isEmpty
            : tcxEgress.published.isEmpty && classicEgress.isEmpty
    }
}
