// Makes Ethernet frames out of other link types, for tools that only take Ethernet.
// Only the cases that lose nothing a summary needs are converted; the rest say why not.
public enum EthernetConversion: Hashable, Sendable {
    case converted([UInt8])
    case unconvertible(String)
}

extension Dissector {
    /// Ethernet frames pass through; SLL/SLL2 get a synthetic header (source = the cooked
    /// address, destination broadcast or zero, the cooked protocol as EtherType); raw IP gets
    /// zero addresses and the EtherType its version says.
    public static func ethernetFrame(_ frame: [UInt8], linkType: LinkType) -> EthernetConversion {
        let f = ByteFields(frame, bigEndian: true)
        switch linkType {
        case .ethernet:
            return .converted(frame)
        case .linuxSLL, .linuxSLL2:
            guard let c = cooked(f, version: linkType == .linuxSLL ? 1 : 2) else {
                return .unconvertible("\(linkType) frame of \(frame.count) bytes is shorter than its header")
            }
            guard let type = c.etherType else {
                return .unconvertible("\(linkType) protocol 0x\(hex(c.protocolType, width: 4)) on device type "
                                      + "\(c.hardwareType) is not an EtherType")
            }
            let source = c.address.count == 6 ? MACAddress(c.address) : .zero
            let destination: MACAddress = c.packetType == 1 ? .broadcast : .zero
            return .converted(header(destination, source, type) + frame[c.length...])
        case .raw, .ipv4, .ipv6:
            guard let first = frame.first else { return .unconvertible("empty \(linkType) frame") }
            switch first >> 4 {
            case 4: return .converted(header(.zero, .zero, EtherType.ipv4) + frame)
            case 6: return .converted(header(.zero, .zero, EtherType.ipv6) + frame)
            case let v: return .unconvertible("\(linkType) frame with IP version \(v)")
            }
        default:
            return .unconvertible("no conversion from link type \(linkType) to Ethernet")
        }
    }

    private static func header(_ dst: MACAddress, _ src: MACAddress, _ type: UInt16) -> [UInt8] {
        dst.bytes + src.bytes + [UInt8(type >> 8), UInt8(truncatingIfNeeded: type)]
    }
}
