import Glibc

/// An IPv4 or IPv6 address, its bytes in network order (4 or 16 of them).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Dotted IPv4 (`10.0.0.1`) or any IPv6 text form (`2001:db8::1`), as inet_pton reads them.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16)
        let family = text.contains(":") ? AF_INET6 : AF_INET
        guard inet_pton(family, text, &buffer) == 1 else { return nil }
        bytes = family == AF_INET ? Array(buffer.prefix(4)) : buffer
    }

    public var isIPv4: Bool { bytes.count == 4 }
    /// The address family: AF_INET (2) or AF_INET6 (10).
    public var family: UInt8 { isIPv4 ? 2 : 10 }

    public var description: String {
        var text = [CChar](repeating: 0, count: 64)
        let family = isIPv4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address with every bit after the first `length` cleared.
    public func masked(to length: Int) -> IPAddress {
        var out = bytes
        for index in out.indices {
            let kept = max(0, min(8, length - index * 8))
            out[index] &= kept == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff00 >> kept)
        }
        return IPAddress(bytes: out) ?? self
    }
}

/// `ADDRESS/PREFIX`: an address and a prefix length that fits its family.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let length: UInt8

    public init?(address: IPAddress, length: UInt8) {
        guard Int(length) <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.length = length
    }

    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])),
              parts[1].allSatisfy(\.isASCII), let length = UInt8(parts[1]) else { return nil }
        self.init(address: address, length: length)
    }

    public var description: String { "\(address)/\(length)" }

    /// Whether `other` (of the same family) lies inside this prefix.
    public func contains(_ other: IPAddress) -> Bool {
        other.bytes.count == address.bytes.count
            && other.masked(to: Int(length)) == address.masked(to: Int(length))
    }
}

/// A 48-bit hardware address, written `aa:bb:cc:dd:ee:ff`.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...2).contains(part.count), part.allSatisfy(\.isHexDigit), let byte = UInt8(part, radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}

/// The transport a `listen` socket uses.
public enum SocketProtocol: String, Hashable, Sendable {
    case tcp, udp
}

/// A route of the main table: `DEST/PREFIX dev DEV [via GATEWAY]`.
public struct RouteSpec: Hashable, Sendable {
    public var destination: IPPrefix
    public var ifindex: UInt32
    public var gateway: IPAddress?

    public init(destination: IPPrefix, ifindex: UInt32, gateway: IPAddress? = nil) {
        self.destination = destination
        self.ifindex = ifindex
        self.gateway = gateway
    }
}
