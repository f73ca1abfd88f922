/// A flow hash over what the kernel's flow dissector keys on: the network protocol, the IPv4 or
/// IPv6 addresses, the transport protocol and ports. Never 0 (the kernel reserves 0 for "none").
/// The kernel seeds it with a per-boot secret, so only which packets hash alike can match it;
/// that follows `skb_get_hash`'s dissection: a fragment's ports are never read (not even the
/// first fragment's), an IPv6 flow label ends the dissection before the extension headers
/// (`FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL`), and hop-by-hop, routing and destination options
/// headers are walked to the transport header, a fragment header giving its next protocol.
enum FlowHash {
    static func compute(_ skb: SKBuff, seed: UInt32) -> (hash: UInt32, hasPorts: Bool) {
        let d = skb.buffer.data
        var h = seed ^ UInt32(skb.metadata.protocol)
        func mix(_ bytes: Slice<UnsafeMutableRawBufferPointer>) {
            for b in bytes { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        }
        let l3 = skb.buffer.networkOffset
        var transportHeader: (protocol: UInt8, offset: Int?) = (0, nil)
        switch skb.metadata.protocol {
        case 0x0800 where d.count >= l3 + 20:
            mix(d[(l3 + 12)..<(l3 + 20)])
            let fragment = (UInt16(d[l3 + 6]) << 8 | UInt16(d[l3 + 7])) & 0x3fff != 0
            transportHeader = (d[l3 + 9], fragment ? nil : l3 + Int(d[l3] & 0x0f) * 4)
        case 0x86dd where d.count >= l3 + 40:
            mix(d[(l3 + 8)..<(l3 + 40)])
            let flowLabel = UInt32(d[l3 + 1] & 0x0f) << 16 | UInt32(d[l3 + 2]) << 8 | UInt32(d[l3 + 3])
            if flowLabel != 0 {
                h = (h ^ flowLabel) &* 0x0100_0193
                transportHeader = (d[l3 + 6], nil)
            } else {
                transportHeader = ipv6TransportHeader(d, from: l3)
            }
        default:
            break
        }
        h = (h ^ UInt32(transportHeader.protocol)) &* 0x0100_0193
        var hasPorts = false
        if let l4 = transportHeader.offset, [6, 17, 132].contains(transportHeader.protocol), d.count >= l4 + 4 {
            mix(d[l4..<(l4 + 4)])
            hasPorts = true
        }
        h ^= h >> 16
        return (h == 0 ? 1 : h, hasPorts)
    }

    /// The protocol after IPv6's extension headers and where its header starts; no offset for
    /// a fragment (its ports are not read) or a header cut short.
    private static func ipv6TransportHeader(_ d: UnsafeMutableRawBufferPointer, from l3: Int) -> (protocol: UInt8, offset: Int?) {
        var next = d[l3 + 6]
        var offset = l3 + 40
        // The kernel's dissector stops after MAX_FLOW_DISSECT_HDRS (15) headers.
        for _ in 0 ..< 15 {
            switch next {
            case 0, 43, 60:                 // hop-by-hop, routing, destination options
                guard d.count >= offset + 8 else { return (next, nil) }
                next = d[offset]
                offset += (Int(d[offset + 1]) + 1) * 8
            case 44:                        // fragment: the next protocol, never its ports
                guard d.count >= offset + 8 else { return (next, nil) }
                return (d[offset], nil)
            default:
                return (next, offset)
            }
        }
        return (next, nil)
    }
}
