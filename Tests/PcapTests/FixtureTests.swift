import Pcap
import Testing

// Files written by Wireshark's text2pcap and editcap (see Tests/Fixtures/pcap/make.sh).
@Suite("Captures written by other tools")
struct FixtureTests {
    static let lengths = [54, 50, 150, 42]
    static let seconds: [UInt64] = [1_700_000_000, 1_700_000_001, 1_700_000_002, 1_700_000_003]

    @Test(arguments: ["ethernet-usec.pcap", "ethernet-nsec.pcap", "ethernet.pcapng"])
    func sameFramesInEveryContainer(name: String) throws {
        let got = CaptureReader.readAll(path: fixturePath(name))
        #expect(got.error == nil)
        #expect(got.interfaces.first?.linkType == .ethernet)
        #expect(got.records.map(\.data.count) == Self.lengths)
        #expect(got.records.map(\.timestamp.seconds) == Self.seconds)
        let summaries = got.records.map(\.summary.description)
        #expect(summaries == [
            "IP 192.0.2.1.40000 > 198.51.100.7.80: TCP [S] seq 1",
            "vlan 100, IP 192.0.2.1.5353 > 198.51.100.7.53: UDP length 12",
            "vlan 200, vlan 30, IP6 2001:db8::1 > 2001:db8::2: ICMP6 type 128 code 0",
            "02:00:00:00:00:01 > 02:00:00:00:00:02 ethertype 0x0806",
        ])
        if name == "ethernet-nsec.pcap", case .pcap(let h)? = got.format {
            #expect(h.nanosecondResolution)
        }
    }

    @Test func snaplenCutFrame() {
        let got = CaptureReader.readAll(path: fixturePath("ethernet-snap60.pcap"))
        #expect(got.error == nil)
        #expect(got.interfaces.first?.snaplen == 60)
        #expect(got.records[2].capturedLength == 60)
        #expect(got.records[2].originalLength == 150)
        // 14 + 2 tags + 40 bytes of IPv6 header do not fit in 60: the tags still show.
        #expect(got.records[2].summary.truncatedIn == .ipv6)
        #expect(got.records[2].summary.ethernet?.vlanTags.count == 2)
        #expect(got.records.filter(\.isTruncated).count == 1)
    }

    @Test(arguments: [("sll.pcap", LinkType.linuxSLL), ("sll2.pcapng", LinkType.linuxSLL2)])
    func cookedCaptures(name: String, linkType: LinkType) throws {
        let got = CaptureReader.readAll(path: fixturePath(name))
        #expect(got.error == nil)
        #expect(got.interfaces.first?.linkType == linkType)
        #expect(got.records.count == 2)
        #expect(got.records.map(\.summary.description) == [
            "IP 192.0.2.1.40000 > 198.51.100.7.80: TCP [S] seq 1",
            "IP6 2001:db8::1.1 > 2001:db8::2.2: UDP length 8",
        ])
        for r in got.records {
            guard case .converted(let eth) = Dissector.ethernetFrame(r.data, linkType: r.linkType) else {
                Issue.record("not converted"); continue
            }
            let again = Dissector.summarize(eth)
            #expect(again.network == r.summary.network)
            #expect(again.ethernet?.source == MACAddress([2, 0, 0, 0, 0, 1]))
        }
    }
}
