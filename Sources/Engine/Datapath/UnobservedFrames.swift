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
    /// (Devices are borrowed from the table, not retained: a retain and a release were a
    /// visible share of a frame this short.)
    static func unobservedFate(at ifindex: UInt32, ingress: Bool, in topology: Topology,
                               shard: CounterShard) -> PacketFate? {
        topology.withDevice(ifindex) { device -> PacketFate? in
            guard device.hasNoPrograms(ingress: ingress) else { return nil }
            if ingress {
                device.counters.count(.rxPackets, in: shard)
                return .delivered(ifindex: ifindex)
            }
            // The egress hooks say NEXT: the device puts the frame on its wire, one hop.
            switch device.kind {
            case .loopback:
                return deliver(from: device, to: device, shard: shard)
            case .veth:
                guard let peer = device.peerIfindex else { return nil }
                return topology.withDevice(peer) { deliver(from: device, to: $0, shard: shard) }
            case .netkitPrimary, .netkitPeer, .other:
                return nil
            }
        }
    }

    /// `sender` puts the frame on its wire and `receiver` takes it in, when `receiver`'s
    /// ingress has nothing either.
    @inline(__always)
    private static func deliver(from sender: Device, to receiver: Device, shard: CounterShard) -> PacketFate? {
        guard receiver.hasNoPrograms(ingress: true) else { return nil }
        sender.counters.count(.txPackets, in: shard)
        receiver.counters.count(.rxPackets, in: shard)
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
