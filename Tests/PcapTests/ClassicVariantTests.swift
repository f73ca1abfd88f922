import Pcap
import Testing

@Suite("Classic pcap variants")
struct ClassicVariantTests {
    static let frames: [(sec: UInt32, frac: UInt32, data: [UInt8], orig: UInt32)] = [
        (100, 250_000, payload(1, length: 60), 60),
        (101, 999_999, payload(2, length: 30), 1514),
        (102, 0, [], 0),
    ]

    @Test(arguments: [false, true], [false, true])
    func byteOrderAndResolution(big: Bool, nano: Bool) throws {
        let bytes = classicPcap(big: big, nano: nano, snaplen: 4096, records: Self.frames)
        let got = CaptureReader.readAll(bytes: bytes)
        #expect(got.error == nil)
        #expect(got.format == .pcap(PcapFileHeader(bigEndian: big, nanosecondResolution: nano, snaplen: 4096)))
        #expect(got.records.count == 3)
        for (r, f) in zip(got.records, Self.frames) {
            #expect(r.data == f.data)
            #expect(r.originalLength == f.orig)
            #expect(r.timestamp.seconds == UInt64(f.sec))
            #expect(r.timestamp.nanoseconds == (nano ? f.frac : f.frac * 1000))
        }
        #expect(got.records[1].isTruncated)
    }

    @Test func linkTypeAndFlagsComeFromTheHeader() throws {
        let reader = try CaptureReader(bytes: classicPcap(big: true, nano: false, linkType: 0x1000_0071, records: []))
        #expect(reader.linkType == .linuxSLL)
        guard case .pcap(let h) = reader.format else { Issue.record("not classic"); return }
        #expect(h.linkTypeFlags == 0x1000)
        #expect(try reader.next() == nil)
    }

    @Test func unknownMagicIsRefusedWithTheBytesShown() {
        #expect(throws: PcapError(.unknownMagic(0x7f45_4c46), file: "<memory>", offset: 0)) {
            try CaptureReader(bytes: [0x7f, 0x45, 0x4c, 0x46, 1, 2, 3])
        }
    }

    @Test func streamsRecordByRecord() throws {
        let reader = try CaptureReader(bytes: classicPcap(big: false, nano: false, records: Self.frames))
        #expect(reader.offset == 24)
        _ = try reader.next()
        #expect(reader.offset == 24 + 16 + 60)
        _ = try reader.next()
        _ = try reader.next()
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
    }
}
