// Walks a frame's headers from the link layer down to TCP/UDP/ICMP. Every read is checked
// against the captured length; when a header does not fit, the layers above it are reported
// and the rest left nil. No input can make it trap.
public enum Dissector {
    public static func summarize(_ frame: [UInt8], linkType: LinkType = .ethernet) -> FrameSummary {
        var s = FrameSummary(linkType: linkType)
        let f = ByteFields(frame, bigEndian: true)
        let start: Int
        switch linkType {
        case .ethernet:
            guard let e = ethernet(f, &s) else { return s }
            s.ethernet = e
            guard e.etherType >= 0x0600 else { return s }  // an 802.3 length: LLC follows
            s.etherType = e.etherType
            start = e.length
        case .linuxSLL, .linuxSLL2:
            guard let c = cooked(f, version: linkType == .linuxSLL ? 1 : 2) else {
                s.truncatedIn = .cooked
                return s
            }
            s.cooked = c
            s.etherType = c.etherType
            start = c.length
        case .raw, .ipv4, .ipv6:
            guard !frame.isEmpty else { s.truncatedIn = linkType == .ipv6 ? .ipv6 : .ipv4; return s }
            s.etherType = f.u8(0) >> 4 == 6 ? EtherType.ipv6 : EtherType.ipv4
            start = 0
        default:
            return s
        }
        switch s.etherType {
        case EtherType.ipv4: ipv4(f, at: start, &s)
        case EtherType.ipv6: ipv6(f, at: start, &s)
        default: break
        }
        return s
    }

    enum EtherType {
        static let ipv4: UInt16 = 0x0800
        static let ipv6: UInt16 = 0x86DD
        static let vlanTags: Set<UInt16> = [0x8100, 0x88A8, 0x9100]
    }

    /// Deeper stacks than this are not real traffic; stopping keeps the walk bounded.
    static let maxVLANTags = 4
    static let maxIPv6Extensions = 16

    private static func ethernet(_ f: ByteFields, _ s: inout FrameSummary) -> EthernetHeader? {
        guard f.count >= 14 else { s.truncatedIn = .ethernet; return nil }
        var e = EthernetHeader(destination: MACAddress(f.slice(0, 6)), source: MACAddress(f.slice(6, 6)),
                               vlanTags: [], etherType: f.u16(12), length: 14)
        while EtherType.vlanTags.contains(e.etherType) && e.vlanTags.count < maxVLANTags {
            guard f.count >= e.length + 4 else { s.truncatedIn = .vlan; return e }
            let tci = f.u16(e.length)
            e.vlanTags.append(VLANTag(tpid: e.etherType, priority: UInt8(tci >> 13),
                                      dropEligible: tci & 0x1000 != 0, id: tci & 0x0FFF))
            e.etherType = f.u16(e.length + 2)
            e.length += 4
        }
        return e
    }

    static func cooked(_ f: ByteFields, version: Int) -> CookedHeader? {
        if version == 1 {
            guard f.count >= 16 else { return nil }
            let n = min(Int(f.u16(4)), 8)
            return CookedHeader(version: 1, packetType: f.u16(0), hardwareType: f.u16(2), address: f.slice(6, n),
                                protocolType: f.u16(14), interfaceIndex: nil, length: 16)
        }
        guard f.count >= 20 else { return nil }
        let n = min(Int(f.u8(11)), 8)
        return CookedHeader(version: 2, packetType: UInt16(f.u8(10)), hardwareType: f.u16(8),
                            address: f.slice(12, n), protocolType: f.u16(0), interfaceIndex: f.u32(4), length: 20)
    }

    private static func ipv4(_ f: ByteFields, at p: Int, _ s: inout FrameSummary) {
        guard f.count - p >= 20 else { s.truncatedIn = .ipv4; return }
        let version = f.u8(p) >> 4
        guard version == 4 else { s.problems.append("IP version \(version) under IPv4 type"); return }
        let ihl = Int(f.u8(p) & 0x0F) * 4
        guard ihl >= 20 else { s.problems.append("IPv4 header length \(ihl) < 20"); return }
        let flags = f.u16(p + 6)
        let ip = IPv4Header(headerLength: ihl, totalLength: f.u16(p + 2), identification: f.u16(p + 4),
                            dontFragment: flags & 0x4000 != 0, moreFragments: flags & 0x2000 != 0,
                            fragmentOffset: Int(flags & 0x1FFF) * 8, ttl: f.u8(p + 8), protocolNumber: f.u8(p + 9),
                            source: IPv4Address(rawValue: f.u32(p + 12)),
                            destination: IPv4Address(rawValue: f.u32(p + 16)))
        s.network = .ipv4(ip)
        guard f.count - p >= ihl else { s.truncatedIn = .ipv4; return }
        // Ethernet pads short frames: the IP total length says where the datagram really ends.
        var end = f.count
        if Int(ip.totalLength) < ihl {
            s.problems.append("IPv4 total length \(ip.totalLength) < header length \(ihl)")
        } else {
            end = min(end, p + Int(ip.totalLength))
        }
        guard ip.fragmentOffset == 0 else { return }  // later fragments carry no transport header
        transport(f, at: p + ihl, end: end, protocolNumber: ip.protocolNumber, v6: false, &s)
    }

    private static func ipv6(_ f: ByteFields, at p: Int, _ s: inout FrameSummary) {
        guard f.count - p >= 40 else { s.truncatedIn = .ipv6; return }
        let first = f.u32(p)
        guard first >> 28 == 6 else { s.problems.append("IP version \(first >> 28) under IPv6 type"); return }
        var ip = IPv6Header(trafficClass: UInt8(truncatingIfNeeded: first >> 20), flowLabel: first & 0xF_FFFF,
                            payloadLength: f.u16(p + 4), nextHeader: f.u8(p + 6), hopLimit: f.u8(p + 7),
                            source: IPv6Address(f.slice(p + 8, 16)), destination: IPv6Address(f.slice(p + 24, 16)),
                            extensionHeaders: [], upperLayerProtocol: nil, fragment: nil, headerLength: 40)
        // A zero payload length means a jumbogram (or a careless writer): use what was captured.
        let end = ip.payloadLength == 0 ? f.count : min(f.count, p + 40 + Int(ip.payloadLength))
        var next = ip.nextHeader
        var at = p + 40
        while ip.extensionHeaders.count < maxIPv6Extensions {
            let size: Int
            switch next {
            case 0, 43, 60, 135, 139, 140:  // hop-by-hop, routing, dest. options, mobility, HIP, shim6
                guard end - at >= 2 else { s.truncatedIn = .ipv6Extension; s.network = .ipv6(ip); return }
                size = (Int(f.u8(at + 1)) + 1) * 8
            case 51:  // AH counts 4-byte units, minus two
                guard end - at >= 2 else { s.truncatedIn = .ipv6Extension; s.network = .ipv6(ip); return }
                size = (Int(f.u8(at + 1)) + 2) * 4
            case 44:
                guard end - at >= 8 else { s.truncatedIn = .ipv6Extension; s.network = .ipv6(ip); return }
                let word = f.u16(at + 2)
                ip.fragment = IPv6Fragment(offset: Int(word >> 3) * 8, moreFragments: word & 1 != 0,
                                           identification: f.u32(at + 4))
                size = 8
            default:
                size = 0
            }
            if size == 0 { break }
            guard end - at >= size else { s.truncatedIn = .ipv6Extension; s.network = .ipv6(ip); return }
            ip.extensionHeaders.append(next)
            next = f.u8(at)
            at += size
            ip.headerLength += size
        }
        ip.upperLayerProtocol = next
        s.network = .ipv6(ip)
        if let frag = ip.fragment, frag.offset != 0 { return }
        transport(f, at: at, end: end, protocolNumber: next, v6: true, &s)
    }

    private static func transport(_ f: ByteFields, at p: Int, end: Int, protocolNumber: UInt8, v6: Bool,
                                  _ s: inout FrameSummary) {
        let have = end - p
        switch protocolNumber {
        case 6:
            guard have >= 20 else { s.truncatedIn = .tcp; return }
            let offsetAndFlags = f.u16(p + 12)
            let length = Int(offsetAndFlags >> 12) * 4
            if length < 20 { s.problems.append("TCP header length \(length) < 20") }
            s.transport = .tcp(TCPHeader(sourcePort: f.u16(p), destinationPort: f.u16(p + 2), sequence: f.u32(p + 4),
                                         acknowledgement: f.u32(p + 8), headerLength: length,
                                         flags: UInt8(truncatingIfNeeded: offsetAndFlags), window: f.u16(p + 14)))
        case 17:
            guard have >= 8 else { s.truncatedIn = .udp; return }
            s.transport = .udp(UDPHeader(sourcePort: f.u16(p), destinationPort: f.u16(p + 2), length: f.u16(p + 4)))
        case 1 where !v6:
            guard have >= 2 else { s.truncatedIn = .icmp; return }
            s.transport = .icmp(ICMPHeader(type: f.u8(p), code: f.u8(p + 1)))
        case 58 where v6:
            guard have >= 2 else { s.truncatedIn = .icmpv6; return }
            s.transport = .icmpv6(ICMPHeader(type: f.u8(p), code: f.u8(p + 1)))
        default:
            break
        }
    }
}

extension PcapRecord {
    /// The dissector's summary of this record's captured bytes.
    public var summary: FrameSummary { Dissector.summarize(data, linkType: linkType) }
}
