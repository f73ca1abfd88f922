import Foundation
import Pcap
import Testing

@Suite("Writing and reading back")
struct RoundTripTests {
    @Test func writtenRecordsReadBackExactly() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.pcap").path
        let writer = try PcapWriter(path: path)
        var expected: [PcapRecord] = []
        for i in 0..<50 {
            let ts = PcapTimestamp(seconds: 1_700_000_000 + UInt64(i), microseconds: UInt32(i * 1234))
            let data = payload(i, length: 14 + i * 3)
            let orig = i % 5 == 0 ? UInt32(data.count + 100) : nil
            try writer.write(timestamp: ts, bytes: data, originalLength: orig)
            expected.append(PcapRecord(timestamp: ts, data: data, originalLength: orig))
        }
        try writer.close()
        #expect(writer.recordCount == 50)

        let got = CaptureReader.readAll(path: path)
        #expect(got.error == nil)
        #expect(got.records == expected)
        #expect(got.format == .pcap(PcapFileHeader(snaplen: 262_144)))
        #expect(got.interfaces.first?.linkType == .ethernet)
    }

    @Test func headerBytesAreLittleEndianMicrosecondEthernet() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("h.pcap").path
        let writer = try PcapWriter(path: path, snaplen: 1500)
        try writer.write(timestamp: PcapTimestamp(seconds: 1, microseconds: 2), bytes: [0xAA, 0xBB])
        try writer.close()
        let bytes = try fileBytes(path)
        #expect(Array(bytes[0..<24]) == [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0xdc, 0x05, 0, 0, 1, 0, 0, 0])
        #expect(Array(bytes[24...]) == [1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0xAA, 0xBB])
    }

    @Test func snaplenCutsLongFramesAndKeepsOriginalLength() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.pcap").path
        let writer = try PcapWriter(path: path, snaplen: 64)
        try writer.write(timestamp: PcapTimestamp(seconds: 5), bytes: payload(1, length: 200))
        try writer.write(timestamp: PcapTimestamp(seconds: 6), bytes: payload(2, length: 10), originalLength: 3)
        try writer.close()
        let got = CaptureReader.readAll(path: path)
        #expect(got.records.count == 2)
        #expect(got.records[0].data == payload(1, length: 64))
        #expect(got.records[0].originalLength == 200)
        #expect(got.records[0].isTruncated)
        // An original length below what is stored makes no sense: it is raised.
        #expect(got.records[1].originalLength == 10)
    }

    @Test func nanosecondsAreCutToMicroseconds() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("n.pcap").path
        let writer = try PcapWriter(path: path)
        try writer.write(timestamp: PcapTimestamp(seconds: 9, nanoseconds: 123_456_789), bytes: [1])
        try writer.close()
        #expect(CaptureReader.readAll(path: path).records.first?.timestamp
                == PcapTimestamp(seconds: 9, nanoseconds: 123_456_000))
    }

    @Test func writerRefusesWhatClassicPcapCannotHold() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.pcap").path
        let writer = try PcapWriter(path: path)
        #expect(throws: PcapError.self) {
            try writer.write(timestamp: PcapTimestamp(seconds: 1 << 33), bytes: [1])
        }
        try writer.close()
        try writer.close()  // closing twice is harmless
        #expect(throws: PcapError(.closed, file: path)) {
            try writer.write(timestamp: PcapTimestamp(seconds: 1), bytes: [1])
        }
    }

    @Test func openingAMissingFileNamesIt() {
        do {
            _ = try CaptureReader(path: "/nonexistent/dir/x.pcap")
            Issue.record("opened a missing file")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/dir/x.pcap: cannot open"))
        }
        #expect(throws: PcapError.self) { try PcapWriter(path: "/nonexistent/dir/y.pcap") }
    }
}
