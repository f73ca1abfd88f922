import Foundation
import Pcap
import Testing

@Suite("Truncated and damaged files")
struct TruncationTests {
    static let full = classicPcap(big: false, nano: false, records: [
        (1, 0, payload(1, length: 40), 40),
        (2, 0, payload(2, length: 40), 40),
    ])

    @Test func cutInsideTheSecondRecordsDataKeepsTheFirst() {
        let cut = Array(Self.full.dropLast(10))
        let got = CaptureReader.readAll(bytes: cut, name: "cut.pcap")
        #expect(got.records.count == 1)
        let e = got.error
        #expect(e?.offset == 24 + 56 + 16)
        #expect(e?.kind == .truncated(what: "packet data", expected: 40, found: 30))
        #expect(e?.description == "cut.pcap at offset 96: truncated packet data: expected 40 bytes, found 30")
    }

    @Test func cutInsideARecordHeader() {
        let cut = Array(Self.full.prefix(24 + 56 + 5))
        let got = CaptureReader.readAll(bytes: cut)
        #expect(got.records.count == 1)
        #expect(got.error?.offset == 80)
        #expect(got.error?.kind == .truncated(what: "record header", expected: 16, found: 5))
    }

    @Test func everyPrefixEitherReadsOrSaysWhere() {
        for n in 0..<Self.full.count {
            let got = CaptureReader.readAll(bytes: Array(Self.full.prefix(n)))
            let clean = n == 24 || n == 80
            #expect((got.error == nil) == clean, "prefix \(n)")
            #expect(got.records.count == (n >= 136 ? 2 : n >= 80 ? 1 : 0), "prefix \(n)")
        }
    }

    @Test func shortFileHeader() {
        let got = CaptureReader.readAll(bytes: Array(Self.full.prefix(10)))
        #expect(got.format == nil)
        #expect(got.error?.kind == .truncated(what: "pcap file header", expected: 24, found: 10))
    }

    @Test func absurdRecordLengthIsRefusedBeforeReading() {
        var bytes = Self.full
        bytes[24 + 8 ..< 24 + 12] = [0xff, 0xff, 0xff, 0x7f]
        let got = CaptureReader.readAll(bytes: bytes)
        #expect(got.records.isEmpty)
        #expect(got.error?.kind == .badLength(what: "record captured length", value: 0x7fff_ffff))
        #expect(got.error?.offset == 32)
    }

    @Test func truncatedPcapngBlock() {
        var b = PcapngBuilder(big: false)
        b.section(big: false)
        b.interface()
        b.enhanced(ticks: 1, data: payload(1, length: 20))
        b.enhanced(ticks: 2, data: payload(2, length: 20))
        let got = CaptureReader.readAll(bytes: Array(b.out.dropLast(3)), name: "x.pcapng")
        #expect(got.records.count == 1)
        guard case .truncated(what: "block", expected: 52, found: 49)? = got.error?.kind else {
            Issue.record("unexpected \(String(describing: got.error))"); return
        }
        #expect(got.error?.offset == UInt64(b.out.count - 52))
    }

    @Test func truncatedFileOnDiskNamesPathAndOffset() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cut.pcap").path
        let writer = try PcapWriter(path: path)
        for i in 0..<3 { try writer.write(timestamp: PcapTimestamp(seconds: UInt64(i)), bytes: payload(i, length: 100)) }
        try writer.close()
        let whole = try fileBytes(path)
        try Data(whole.dropLast(1)).write(to: URL(fileURLWithPath: path))
        let got = CaptureReader.readAll(path: path)
        #expect(got.records.count == 2)
        #expect(got.error?.description
                == "\(path) at offset \(24 + 2 * 116 + 16): truncated packet data: expected 100 bytes, found 99")
    }
}
