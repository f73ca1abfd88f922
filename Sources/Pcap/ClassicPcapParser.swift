// Classic pcap: a 24-byte file header, then 16-byte record headers each followed by its bytes.
final class ClassicPcapParser {
    /// Above this a record length is corruption, not a packet; we refuse before reading it.
    static let maxRecordLength: UInt32 = 64 << 20

    let source: ByteSource
    let header: PcapFileHeader
    private(set) var offset: UInt64

    /// `magic` is the first four bytes, already read by the caller.
    init(source: ByteSource, magic: [UInt8]) throws(PcapError) {
        self.source = source
        let rest = try source.read(20)
        guard rest.count == 20 else {
            throw PcapError(.truncated(what: "pcap file header", expected: 24, found: 4 + rest.count),
                            file: source.name, offset: 0)
        }
        let m = ByteFields(magic, bigEndian: false).u32(0)
        let big: Bool
        let nano: Bool
        switch m {
        case 0xa1b2_c3d4: (big, nano) = (false, false)
        case 0xd4c3_b2a1: (big, nano) = (true, false)
        case 0xa1b2_3c4d: (big, nano) = (false, true)
        case 0x4d3c_b2a1: (big, nano) = (true, true)
        default:
            throw PcapError(.unsupported("pcap magic 0x\(hex(m, width: 8))"), file: source.name, offset: 0)
        }
        let f = ByteFields(magic + rest, bigEndian: big)
        let major = f.u16(4)
        guard major == 2 else {
            throw PcapError(.unsupported("pcap version \(major).\(f.u16(6))"), file: source.name, offset: 4)
        }
        let network = f.u32(20)
        header = PcapFileHeader(bigEndian: big, nanosecondResolution: nano, versionMajor: major,
                                versionMinor: f.u16(6), snaplen: f.u32(16),
                                linkType: LinkType(rawValue: UInt16(truncatingIfNeeded: network)),
                                linkTypeFlags: UInt16(truncatingIfNeeded: network >> 16))
        offset = 24
    }

    var interface: PcapInterface {
        PcapInterface(linkType: header.linkType, snaplen: header.snaplen,
                      resolution: .decimal(header.nanosecondResolution ? 9 : 6))
    }

    func next() throws(PcapError) -> PcapRecord? {
        let start = offset
        let raw = try source.read(16)
        if raw.isEmpty { return nil }
        guard raw.count == 16 else {
            throw PcapError(.truncated(what: "record header", expected: 16, found: raw.count),
                            file: source.name, offset: start)
        }
        let f = ByteFields(raw, bigEndian: header.bigEndian)
        let caplen = f.u32(8)
        guard caplen <= Self.maxRecordLength else {
            throw PcapError(.badLength(what: "record captured length", value: UInt64(caplen)),
                            file: source.name, offset: start + 8)
        }
        let data = try source.read(Int(caplen))
        guard data.count == Int(caplen) else {
            throw PcapError(.truncated(what: "packet data", expected: Int(caplen), found: data.count),
                            file: source.name, offset: start + 16)
        }
        offset = start + 16 + UInt64(caplen)
        let frac = f.u32(4)
        let ts = header.nanosecondResolution
            ? PcapTimestamp(seconds: UInt64(f.u32(0)), nanoseconds: frac)
            : PcapTimestamp(seconds: UInt64(f.u32(0)), microseconds: frac)
        return PcapRecord(timestamp: ts, data: data, originalLength: f.u32(12), linkType: header.linkType)
    }
}
