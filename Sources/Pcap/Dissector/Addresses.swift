// Link and network addresses as values, printed the way tcpdump prints them.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The 48 bits, first byte most significant.
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    /// Takes the first six bytes; missing bytes count as zero.
    public init(_ bytes: some Collection<UInt8>) {
        var v: UInt64 = 0
        var it = bytes.makeIterator()
        for _ in 0..<6 { v = v << 8 | UInt64(it.next() ?? 0) }
        rawValue = v
    }

    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(rawValue: 0)

    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: rawValue >> UInt64(40 - 8 * $0)) } }

    public var description: String { bytes.map { hex($0, width: 2) }.joined(separator: ":") }
}

public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        rawValue = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    public var description: String {
        (0..<4).map { String(UInt8(truncatingIfNeeded: rawValue >> UInt32(24 - 8 * $0))) }.joined(separator: ".")
    }
}

public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Takes the first sixteen bytes; missing bytes count as zero.
    public init(_ bytes: some Collection<UInt8>) {
        var it = bytes.makeIterator()
        var h: UInt64 = 0
        var l: UInt64 = 0
        for _ in 0..<8 { h = h << 8 | UInt64(it.next() ?? 0) }
        for _ in 0..<8 { l = l << 8 | UInt64(it.next() ?? 0) }
        high = h
        low = l
    }

    public var groups: [UInt16] {
        (0..<8).map { i in
            let word = i < 4 ? high : low
            return UInt16(truncatingIfNeeded: word >> UInt64(48 - 16 * (i % 4)))
        }
    }

    /// RFC 5952 text: lowercase, leading zeros dropped, the longest run of two or more
    /// zero groups (the first, on a tie) written as "::".
    public var description: String {
        let g = groups
        var bestStart = -1
        var bestLength = 1
        var i = 0
        while i < 8 {
            guard g[i] == 0 else { i += 1; continue }
            var j = i
            while j < 8 && g[j] == 0 { j += 1 }
            if j - i > bestLength { bestStart = i; bestLength = j - i }
            i = j
        }
        let text = g.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return text.joined(separator: ":") }
        let head = text[0..<bestStart].joined(separator: ":")
        let tail = text[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
