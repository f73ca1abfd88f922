// Capture time as seconds since the epoch plus nanoseconds: wide enough for every format read.
public struct PcapTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: UInt64
    /// Always below 1_000_000_000.
    public var nanoseconds: UInt32

    public init(seconds: UInt64, nanoseconds: UInt32 = 0) {
        // Saturate rather than trap: timestamps come from untrusted files.
        let (sum, overflow) = seconds.addingReportingOverflow(UInt64(nanoseconds / 1_000_000_000))
        self.seconds = overflow ? .max : sum
        self.nanoseconds = nanoseconds % 1_000_000_000
    }

    public init(seconds: UInt64, microseconds: UInt32) {
        let (sum, overflow) = seconds.addingReportingOverflow(UInt64(microseconds / 1_000_000))
        self.init(seconds: overflow ? .max : sum, nanoseconds: (microseconds % 1_000_000) * 1000)
    }

    public var microseconds: UInt32 { nanoseconds / 1000 }

    public static func < (a: PcapTimestamp, b: PcapTimestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    public var description: String {
        let frac = String(nanoseconds)
        return "\(seconds)." + String(repeating: "0", count: 9 - frac.count) + frac
    }
}
