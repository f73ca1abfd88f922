// The first bytes of TCP, UDP and ICMP: enough for a one-line summary.
public struct TCPHeader: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequence: UInt32
    public var acknowledgement: UInt32
    /// Data offset times four.
    public var headerLength: Int
    /// FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80.
    public var flags: UInt8
    public var window: UInt16

    /// tcpdump's letters: S F R P U E W and "." for ACK.
    public var flagText: String {
        let letters: [(UInt8, String)] = [(0x02, "S"), (0x01, "F"), (0x04, "R"), (0x08, "P"), (0x20, "U"),
                                          (0x40, "E"), (0x80, "W"), (0x10, ".")]
        let s = letters.filter { flags & $0.0 != 0 }.map(\.1).joined()
        return s.isEmpty ? "none" : s
    }
}

public struct UDPHeader: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var length: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16, length: UInt16) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.length = length
    }
}

public struct ICMPHeader: Hashable, Sendable {
    public var type: UInt8
    public var code: UInt8

    public init(type: UInt8, code: UInt8) {
        self.type = type
        self.code = code
    }
}

public enum TransportHeader: Hashable, Sendable {
    case tcp(TCPHeader)
    case udp(UDPHeader)
    case icmp(ICMPHeader)
    case icmpv6(ICMPHeader)

    public var ports: (source: UInt16, destination: UInt16)? {
        switch self {
        case .tcp(let t): return (t.sourcePort, t.destinationPort)
        case .udp(let u): return (u.sourcePort, u.destinationPort)
        case .icmp, .icmpv6: return nil
        }
    }
}
