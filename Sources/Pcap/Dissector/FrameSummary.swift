// What the dissector found in one frame. Layers it could not reach are nil; `truncatedIn`
// says which layer ran out of captured bytes, `problems` which fields made no sense.
public struct FrameSummary: Hashable, Sendable, CustomStringConvertible {
    public enum Layer: String, Hashable, Sendable {
        case ethernet, vlan, cooked, ipv4, ipv6, ipv6Extension, tcp, udp, icmp, icmpv6
    }

    public var linkType: LinkType
    public var ethernet: EthernetHeader?
    public var cooked: CookedHeader?
    /// The network protocol found under the link header, if it was an EtherType.
    public var etherType: UInt16?
    public var network: NetworkHeader?
    public var transport: TransportHeader?
    /// The first layer whose header did not fit in the captured bytes.
    public var truncatedIn: Layer?
    public var problems: [String] = []

    public init(linkType: LinkType) { self.linkType = linkType }

    public var isTruncated: Bool { truncatedIn != nil }

    /// One line in the spirit of tcpdump: "vlan 10, IP 10.0.0.1.1234 > 10.0.0.2.80: TCP [S]".
    public var description: String {
        var parts: [String] = []
        for tag in ethernet?.vlanTags ?? [] { parts.append("vlan \(tag.id)") }
        var line = ""
        switch network {
        case .ipv4(let ip):
            line = "IP " + endpoints(String(describing: ip.source), String(describing: ip.destination))
            if ip.fragmentOffset != 0 {
                line += ": fragment id \(ip.identification) offset \(ip.fragmentOffset)"
            } else {
                line += ": " + transportText(protocolNumber: ip.protocolNumber)
            }
        case .ipv6(let ip):
            line = "IP6 " + endpoints(String(describing: ip.source), String(describing: ip.destination))
            if let f = ip.fragment, f.offset != 0 {
                line += ": fragment id \(f.identification) offset \(f.offset)"
            } else if let p = ip.upperLayerProtocol {
                line += ": " + transportText(protocolNumber: p)
            }
        case nil:
            if let e = ethernet {
                line = "\(e.source) > \(e.destination)"
            } else if let c = cooked {
                line = "cooked type \(c.packetType) hw \(c.hardwareType)"
            } else {
                line = linkType.description
            }
            if let t = etherType { line += " ethertype 0x\(hex(t, width: 4))" }
        }
        parts.append(line)
        var text = parts.joined(separator: ", ")
        if let t = truncatedIn { text += " [truncated in \(t.rawValue)]" }
        for p in problems { text += " [\(p)]" }
        return text
    }

    private func endpoints(_ src: String, _ dst: String) -> String {
        if let ports = transport?.ports { return "\(src).\(ports.source) > \(dst).\(ports.destination)" }
        return "\(src) > \(dst)"
    }

    private func transportText(protocolNumber: UInt8) -> String {
        switch transport {
        case .tcp(let t): return "TCP [\(t.flagText)] seq \(t.sequence)"
        case .udp(let u): return "UDP length \(u.length)"
        case .icmp(let i): return "ICMP type \(i.type) code \(i.code)"
        case .icmpv6(let i): return "ICMP6 type \(i.type) code \(i.code)"
        case nil: return "protocol \(protocolNumber)"
        }
    }
}
