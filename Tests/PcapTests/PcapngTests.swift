import Pcap
import Testing

@Suite("pcapng")
struct PcapngTests {
    @Test(arguments: [false, true])
    func enhancedAndSimplePackets(big: Bool) throws {
        var b = PcapngBuilder(big: big)
        b.section(big: big)
        b.interface(linkType: 1, snaplen: 128, name: "eth0")
        b.statistics()
        b.enhanced(ticks: 1_700_000_000_123_456, data: payload(1, length: 33), orig: 1000)
        b.simple(data: payload(2, length: 200))  // longer than snaplen: cut to 128
        let got = CaptureReader.readAll(bytes: b.out)
        #expect(got.error == nil)
        #expect(got.format == .pcapng)
        #expect(got.interfaces == [PcapInterface(linkType: .ethernet, snaplen: 128, name: "eth0")])
        #expect(got.records.count == 2)
        #expect(got.records[0].timestamp == PcapTimestamp(seconds: 1_700_000_000, microseconds: 123_456))
        #expect(got.records[0].data == payload(1, length: 33))
        #expect(got.records[0].originalLength == 1000)
        #expect(got.records[1].data == payload(2, length: 128))
        #expect(got.records[1].originalLength == 200)
    }

    @Test func timestampResolutions() throws {
        var b = PcapngBuilder(big: false)
        b.section(big: false)
        b.interface(tsresol: 9)                         // nanoseconds
        b.interface(linkType: 113, tsresol: 0x80 | 10)  // 1/1024 s
        b.interface(tsresol: 3, tsoffset: 100)          // milliseconds, plus 100 s
        b.enhanced(interface: 0, ticks: 5_000_000_007, data: [1])
        b.enhanced(interface: 1, ticks: 3 * 1024 + 512, data: [2])
        b.enhanced(interface: 2, ticks: 2_500, data: [3])
        let got = CaptureReader.readAll(bytes: b.out)
        #expect(got.error == nil)
        #expect(got.records.map(\.timestamp) == [
            PcapTimestamp(seconds: 5, nanoseconds: 7),
            PcapTimestamp(seconds: 3, nanoseconds: 500_000_000),
            PcapTimestamp(seconds: 102, nanoseconds: 500_000_000),
        ])
        #expect(got.records.map(\.interfaceIndex) == [0, 1, 2])
        #expect(got.records[1].linkType == .linuxSLL)
        #expect(got.interfaces[1].resolution == .binary(10))
    }

    @Test func aNewSectionMayChangeByteOrderAndForgetsInterfaces() throws {
        var b = PcapngBuilder(big: false)
        b.section(big: false)
        b.interface(linkType: 1)
        b.enhanced(ticks: 1_000_000, data: [1, 2, 3])
        b.section(big: true)
        b.interface(linkType: 276)
        b.enhanced(ticks: 2_000_000, data: [4, 5])
        let reader = try CaptureReader(bytes: b.out)
        #expect(reader.linkType == .ethernet)
        let first = try reader.next()
        let second = try reader.next()
        #expect(first?.data == [1, 2, 3])
        #expect(second?.data == [4, 5])
        #expect(second?.linkType == .linuxSLL2)
        #expect(second?.timestamp.seconds == 2)
        #expect(reader.interfaces.count == 1)
        #expect(try reader.next() == nil)
    }

    @Test func packetForAnUndescribedInterfaceIsAnError() {
        var b = PcapngBuilder(big: false)
        b.section(big: false)
        b.interface()
        b.enhanced(interface: 3, ticks: 0, data: [1])
        let got = CaptureReader.readAll(bytes: b.out, name: "f.pcapng")
        #expect(got.records.isEmpty)
        #expect(got.error?.description == "f.pcapng at offset \(b.out.count - 36 + 8): malformed: "
                + "enhanced packet names interface 3, only 1 described")
    }

    @Test func emptySectionHasNoLinkType() throws {
        var b = PcapngBuilder(big: true)
        b.section(big: true)
        let reader = try CaptureReader(bytes: b.out)
        #expect(reader.linkType == nil)
        #expect(try reader.next() == nil)
    }

    @Test func mismatchedTrailingLength() {
        var b = PcapngBuilder(big: false)
        b.section(big: false)
        b.interface()
        b.out[b.out.count - 4] ^= 0x04
        let got = CaptureReader.readAll(bytes: b.out)
        guard case .malformed(let m)? = got.error?.kind else { Issue.record("\(String(describing: got.error))"); return }
        #expect(m.contains("trailing block length"))
    }
}
