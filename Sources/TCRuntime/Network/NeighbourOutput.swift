/// What the datapath does after `bpf_redirect_neigh`: finds the neighbour of the next hop on the
/// target device and gives the frame a fresh Ethernet header from the device's MAC to it.
public enum NeighbourOutput {
    /// Rewrites `skb`'s Ethernet header for leaving through `ifindex`; nil when it goes out, or
    /// why the kernel would not send it now (it drops it, or queues it behind a neighbour
    /// solicitation this world never answers).
    public static func prepare(_ skb: SKBuff, ifindex: UInt32, nextHop: [UInt8]?, in net: NetworkSnapshot) -> String? {
        guard let device = net.device(ifindex) else { return "redirect_neigh to ifindex \(ifindex), which does not exist" }
        let packet = skb.packet
        guard packet.count >= 14, skb.buffer.macOffset == 0, skb.buffer.networkOffset >= 14 else {
            return "redirect_neigh needs an Ethernet frame"
        }
        if packet[0] & 1 != 0 { return "redirect_neigh of a multicast frame" }
        let proto = skb.metadata.protocol
        let v6: Bool
        switch proto {
        case 0x0800: v6 = false
        case 0x86dd: v6 = true
        default: return "redirect_neigh of a frame that is neither IPv4 nor IPv6"
        }
        var hop: [UInt8]
        if let nextHop {
            guard nextHop.count == 4 || nextHop.count == 16 else { return "redirect_neigh with a next hop of an unknown family" }
            hop = nextHop
        } else {
            let offset = v6 ? 14 + 24 : 14 + 16
            let width = v6 ? 16 : 4
            guard packet.count >= offset + width else { return "redirect_neigh of a truncated IP header" }
            hop = Array(packet[offset..<offset + width])
            let tables = [NetRoute.localTable, NetRoute.mainTable]
            if let route = FIB.bestRoute(hop, tables: tables, device: ifindex, v6: v6, net) {
                guard route.type == .unicast || route.type == .local else { return "redirect_neigh: no unicast route" }
                if let gateway = route.gateway { hop = gateway }
            }
        }
        let key = device.isLoopback && hop.count == 4 ? [0, 0, 0, 0] : hop
        guard let neighbour = net.neighbour(ifindex, key) else {
            return "redirect_neigh: no neighbour entry for the next hop on \(device.name)"
        }
        let data = skb.buffer.data
        for i in 0..<6 {
            data[i] = neighbour.mac[i]
            data[6 + i] = device.mac[i]
        }
        data[12] = UInt8(proto >> 8)
        data[13] = UInt8(truncatingIfNeeded: proto)
        return nil
    }
}
