/// A flow hash over what the kernel's flow dissector keys on: the network protocol, the IPv4 or
/// IPv6 addresses, the transport protocol and ports. Never 0 (the kernel reserves 0 for "none").
/// The kernel seeds it with a per-boot secret, so only which packets hash alike can match it;
/// that follows `skb_get_hash`'s dissection: a fragment's ports are never read (not even the
/// first fragment's), an IPv6 flow label ends the dissection before the extension headers
/// (`FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL`), and hop-by-hop, routing and destination options
/// headers are walked to the transport header, a fragment header giving its next protocol, and
/// IPIP, IPv6 in IP and GRE are dissected through to the inner flow (GRE's key kept).
enum FlowHash {
    static func compute(_ skb: SKBuff, seed: UInt32) -> (hash: UInt32, hasPorts: Bool) {
        let d = skb.buffer.data
        var network = (protocol: skb.metadata.protocol, offset: skb.buffer.networkOffset)
        var addresses: Range<Int>? = nil
        var transportHeader: (protocol: UInt8, offset: Int?) = (0, nil)
        var flowLabel: UInt32 = 0
        var greKey: UInt32? = nil
        // IPIP, IPv6 in IP and GRE are dissected through: the inner header's keys replace the
        // outer's, as the kernel's dissector does without FLOW_DISSECTOR_F_STOP_AT_ENCAP.
        for _ in 0 ..< 4 {
            let l3 = network.offset
            switch network.protocol {
            case 0x0800 where d.count >= l3 + 20:
                addresses = (l3 + 12)..<(l3 + 20)
                let fragment = (UInt16(d[l3 + 6]) << 8 | UInt16(d[l3 + 7])) & 0x3fff != 0
                transportHeader = (d[l3 + 9], fragment ? nil : l3 + Int(d[l3] & 0x0f) * 4)
            case 0x86dd where d.count >= l3 + 40:
                addresses = (l3 + 8)..<(l3 + 40)
                flowLabel = UInt32(d[l3 + 1] & 0x0f) << 16 | UInt32(d[l3 + 2]) << 8 | UInt32(d[l3 + 3])
                transportHeader = flowLabel != 0 ? (d[l3 + 6], nil) : ipv6TransportHeader(d, from: l3)
            default:
                addresses = nil
                transportHeader = (0, nil)
            }
            guard let inner = transportHeader.offset else { break }
            if transportHeader.protocol == 4 {
                network = (0x0800, inner)
            } else if transportHeader.protocol == 41 {
                network = (0x86dd, inner)
            } else if transportHeader.protocol == 47, let gre = greInner(d, at: inner) {
                network = (gre.protocol, gre.offset)
                greKey = gre.key ?? greKey
            } else {
                break
            }
        }
        var h = seed ^ UInt32(network.protocol)
        func mix(_ bytes: Slice<UnsafeMutableRawBufferPointer>) {
            for b in bytes { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        }
        if let addresses { mix(d[addresses]) }
        if flowLabel != 0 { h = (h ^ flowLabel) &* 0x0100_0193 }
        if let greKey { h = (h ^ greKey) &* 0x0100_0193 }
        h = (h ^ UInt32(transportHeader.protocol)) &* 0x0100_0193
        var hasPorts = false
        if let l4 = transportHeader.offset, [6, 17, 132].contains(transportHeader.protocol), d.count >= l4 + 4 {
            mix(d[l4..<(l4 + 4)])
            hasPorts = true
        }
        h ^= h >> 16
        return (h == 0 ? 1 : h, hasPorts)
    }

    /// What a version 0 GRE header without routing carries (IPv4, IPv6, or either behind an
    /// Ethernet header for ETH_P_TEB), where it starts and the key the header holds; nil for
    /// anything else, where the hash stays the outer header's.
    private static func greInner(_ d: UnsafeMutableRawBufferPointer, at offset: Int) -> (protocol: UInt16, offset: Int, key: UInt32?)? {
        guard d.count >= offset + 4, d[offset] & 0x40 == 0, d[offset + 1] & 0x07 == 0 else { return nil }
        var proto = UInt16(d[offset + 2]) << 8 | UInt16(d[offset + 3])
        var next = offset + 4
        if d[offset] & 0x80 != 0 { next += 4 }                       // checksum
        var key: UInt32? = nil
        if d[offset] & 0x20 != 0 {
            guard d.count >= next + 4 else { return nil }
            key = UInt32(d[next]) << 24 | UInt32(d[next + 1]) << 16 | UInt32(d[next + 2]) << 8 | UInt32(d[next + 3])
            next += 4
        }
        if d[offset] & 0x10 != 0 { next += 4 }                       // sequence number
        if proto == 0x6558 {                                         // transparent Ethernet bridging
            guard d.count >= next + 14 else { return nil }
            proto = UInt16(d[next + 12]) << 8 | UInt16(d[next + 13])
            next += 14
        }
        return proto == 0x0800 || proto == 0x86dd ? (proto, next, key) : nil
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
