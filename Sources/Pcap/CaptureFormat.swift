// What a capture file turned out to be, and the per-interface facts its packets depend on.
public enum CaptureFormat: Sendable, Equatable {
    case pcap(PcapFileHeader)
    case pcapng
}

/// The 24-byte header of a classic pcap file.
public struct PcapFileHeader: Sendable, Equatable {
    public var bigEndian: Bool
    /// Magic a1b23c4d: record fractions are nanoseconds, not microseconds.
    public var nanosecondResolution: Bool
    public var versionMajor: UInt16
    public var versionMinor: UInt16
    public var snaplen: UInt32
    public var linkType: LinkType
    /// The upper bits of the link-type field (FCS length and flags), kept as found.
    public var linkTypeFlags: UInt16

    public init(bigEndian: Bool = false, nanosecondResolution: Bool = false, versionMajor: UInt16 = 2,
                versionMinor: UInt16 = 4, snaplen: UInt32 = 262_144, linkType: LinkType = .ethernet,
                linkTypeFlags: UInt16 = 0) {
        self.bigEndian = bigEndian
        self.nanosecondResolution = nanosecondResolution
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.snaplen = snaplen
        self.linkType = linkType
        self.linkTypeFlags = linkTypeFlags
    }
}

/// A capture interface: the one classic pcap header, or one pcapng Interface Description Block.
public struct PcapInterface: Sendable, Equatable {
    public enum Resolution: Sendable, Equatable {
        /// Ticks of 10^-n seconds (pcapng's if_tsresol with the top bit clear).
        case decimal(UInt8)
        /// Ticks of 2^-n seconds (top bit set).
        case binary(UInt8)
    }

    public var linkType: LinkType
    /// 0 means no limit (pcapng allows it).
    public var snaplen: UInt32
    public var name: String?
    public var resolution: Resolution
    /// pcapng if_tsoffset: seconds added to every timestamp.
    public var timestampOffset: Int64

    public init(linkType: LinkType, snaplen: UInt32, name: String? = nil,
                resolution: Resolution = .decimal(6), timestampOffset: Int64 = 0) {
        self.linkType = linkType
        self.snaplen = snaplen
        self.name = name
        self.resolution = resolution
        self.timestampOffset = timestampOffset
    }

    /// Turns a tick count into seconds and nanoseconds; never traps on any value.
    func timestamp(ticks: UInt64) -> PcapTimestamp {
        var seconds: UInt64
        var nanos: UInt64
        switch resolution {
        case .decimal(let e):
            let exp = Int(min(e, 19))
            var div: UInt64 = 1
            for _ in 0..<exp { div *= 10 }
            seconds = ticks / div
            let rem = ticks % div
            if exp <= 9 {
                var mul: UInt64 = 1
                for _ in exp..<9 { mul *= 10 }
                nanos = rem * mul
            } else {
                var d: UInt64 = 1
                for _ in 9..<exp { d *= 10 }
                nanos = rem / d
            }
        case .binary(let e):
            let exp = Int(min(e, 63))
            seconds = exp == 0 ? ticks : ticks >> UInt64(exp)
            let rem = exp == 0 ? 0 : ticks & ((1 << UInt64(exp)) - 1)
            let (high, low) = rem.multipliedFullWidth(by: 1_000_000_000)
            nanos = exp == 0 ? 0 : (high << UInt64(64 - exp)) | (low >> UInt64(exp))
        }
        if timestampOffset != 0 {
            let base = Int64(clamping: seconds)
            let (sum, overflow) = base.addingReportingOverflow(timestampOffset)
            seconds = overflow ? (timestampOffset > 0 ? UInt64(Int64.max) : 0) : UInt64(max(0, sum))
        }
        return PcapTimestamp(seconds: seconds, nanoseconds: UInt32(min(nanos, 999_999_999)))
    }
}
