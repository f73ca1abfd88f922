import Pcap
import Testing

@Suite("Frame dissector")
struct DissectorTests {
    @Test func ipv4TCP() {
        let frame = Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 6, Frame.tcp(src: 40000, dst: 80, flags: 0x02)))
        let s = Dissector.summarize(frame)
        #expect(s.ethernet?.source == MACAddress(Frame.srcMAC))
        #expect(s.ethernet?.vlanTags == [])
        guard case .ipv4(let ip)? = s.network else { Issue.record("no IPv4"); return }
        #expect(ip.headerLength == 20)
        #expect(ip.totalLength == 40)
        #expect(ip.protocolNumber == 6)
        #expect(ip.source == IPv4Address(10, 0, 0, 1))
        #expect(ip.destination.description == "10.0.0.2")
        guard case .tcp(let t)? = s.transport else { Issue.record("no TCP"); return }
        #expect(t.sourcePort == 40000 && t.destinationPort == 80 && t.flagText == "S")
        #expect(s.truncatedIn == nil && s.problems.isEmpty)
        #expect(s.description == "IP 10.0.0.1.40000 > 10.0.0.2.80: TCP [S] seq 1000")
    }

    @Test func oneAndTwoVLANTags() {
        let inner = Frame.ipv4(proto: 17, Frame.udp(src: 53, dst: 5353))
        let single = Dissector.summarize(Frame.ethernet(vlans: [(0x8100, 0x2064)], type: 0x0800, inner))
        #expect(single.ethernet?.vlanTags == [VLANTag(tpid: 0x8100, priority: 1, dropEligible: false, id: 100)])
        #expect(single.ethernet?.length == 18)
        #expect(single.transport == .udp(UDPHeader(sourcePort: 53, destinationPort: 5353, length: 8)))

        let double = Dissector.summarize(Frame.ethernet(vlans: [(0x88A8, 0x1000 | 200), (0x8100, 30)],
                                                        type: 0x0800, inner))
        #expect(double.ethernet?.vlanTags.map(\.id) == [200, 30])
        #expect(double.ethernet?.vlanTags.first?.dropEligible == true)
        #expect(double.ethernet?.etherType == 0x0800)
        #expect(double.description == "vlan 200, vlan 30, IP 10.0.0.1.53 > 10.0.0.2.5353: UDP length 8")
    }

    @Test func ipv4OptionsAndICMP() {
        let s = Dissector.summarize(Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 1, options: [1, 1, 1, 0],
                                                                            Frame.icmp(type: 8, code: 0))))
        guard case .ipv4(let ip)? = s.network else { Issue.record("no IPv4"); return }
        #expect(ip.headerLength == 24)
        #expect(s.transport == .icmp(ICMPHeader(type: 8, code: 0)))
    }

    @Test func ipv4Fragments() {
        let first = Dissector.summarize(Frame.ethernet(type: 0x0800,
            Frame.ipv4(proto: 17, flags: 0x2000, Frame.udp(src: 1, dst: 2, payload: [1, 2, 3]))))
        guard case .ipv4(let a)? = first.network else { Issue.record("no IPv4"); return }
        #expect(a.moreFragments && a.fragmentOffset == 0 && a.isFragment)
        #expect(first.transport != nil)

        let later = Dissector.summarize(Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 17, flags: 185, [9, 9, 9, 9])))
        guard case .ipv4(let b)? = later.network else { Issue.record("no IPv4"); return }
        #expect(b.fragmentOffset == 1480 && !b.moreFragments)
        #expect(later.transport == nil)
        #expect(later.description == "IP 10.0.0.1 > 10.0.0.2: fragment id 4660 offset 1480")
    }

    @Test func ethernetPaddingDoesNotCountAsPayload() {
        // 20-byte IP + 8-byte UDP = 28 < 46: Ethernet pads. The UDP header still parses, padding ignored.
        let frame = Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 17, Frame.udp(src: 7, dst: 9))) + [UInt8](repeating: 0, count: 18)
        #expect(Dissector.summarize(frame).transport == .udp(UDPHeader(sourcePort: 7, destinationPort: 9, length: 8)))
        // A total length that leaves no room for UDP: the header is not read from the padding.
        var short = Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 17, [])) + [UInt8](repeating: 0, count: 26)
        short[17] = 20
        #expect(Dissector.summarize(short).transport == nil)
        #expect(Dissector.summarize(short).truncatedIn == .udp)
    }

    @Test func ipv6UDPAndICMPv6() {
        let s = Dissector.summarize(Frame.ethernet(type: 0x86DD, Frame.ipv6(next: 17, Frame.udp(src: 546, dst: 547))))
        guard case .ipv6(let ip)? = s.network else { Issue.record("no IPv6"); return }
        #expect(ip.source.description == "2001:db8::1")
        #expect(ip.destination.description == "fe80::ab:cdef")
        #expect(ip.upperLayerProtocol == 17)
        #expect(s.description == "IP6 2001:db8::1.546 > fe80::ab:cdef.547: UDP length 8")

        let icmp = Dissector.summarize(Frame.ethernet(type: 0x86DD, Frame.ipv6(next: 58, Frame.icmp(type: 135, code: 0))))
        #expect(icmp.transport == .icmpv6(ICMPHeader(type: 135, code: 0)))
    }

    @Test func ipv6ExtensionHeaders() {
        // hop-by-hop (8 bytes) -> fragment (first fragment) -> destination options (16 bytes) -> TCP
        let hop: [UInt8] = [44, 0, 5, 2, 0, 0, 1, 0]
        let frag: [UInt8] = [60, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]
        let dest: [UInt8] = [6, 1] + [UInt8](repeating: 1, count: 14)
        let s = Dissector.summarize(Frame.ethernet(type: 0x86DD,
            Frame.ipv6(next: 0, hop + frag + dest + Frame.tcp(src: 22, dst: 50000, flags: 0x12))))
        guard case .ipv6(let ip)? = s.network else { Issue.record("no IPv6"); return }
        #expect(ip.extensionHeaders == [0, 44, 60])
        #expect(ip.fragment == IPv6Fragment(offset: 0, moreFragments: true, identification: 0xdead_beef))
        #expect(ip.headerLength == 40 + 32)
        guard case .tcp(let t)? = s.transport else { Issue.record("no TCP"); return }
        #expect(t.flagText == "S.")

        let later = Dissector.summarize(Frame.ethernet(type: 0x86DD,
            Frame.ipv6(next: 44, [17, 0, 0x05, 0xc8, 0, 0, 0, 7] + [1, 2, 3, 4, 5, 6, 7, 8])))
        guard case .ipv6(let l)? = later.network else { Issue.record("no IPv6"); return }
        #expect(l.fragment?.offset == 185 * 8)
        #expect(later.transport == nil)
    }

    @Test func everyTruncationGivesAPartialResult() {
        let frames = [
            Frame.ethernet(vlans: [(0x88A8, 5), (0x8100, 6)], type: 0x0800,
                           Frame.ipv4(proto: 6, options: [1, 1, 1, 0], Frame.tcp(src: 1, dst: 2, flags: 0x10))),
            Frame.ethernet(type: 0x86DD, Frame.ipv6(next: 0, [58, 0, 1, 4, 0, 0, 0, 0] + Frame.icmp(type: 128, code: 0))),
            Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 1, Frame.icmp(type: 0, code: 0))),
        ]
        let expectedFull: [FrameSummary.Layer] = [.tcp, .icmpv6, .icmp]
        for (frame, top) in zip(frames, expectedFull) {
            #expect(Dissector.summarize(frame).transport != nil)
            var seen: Set<FrameSummary.Layer> = []
            for n in 0..<frame.count {
                let s = Dissector.summarize(Array(frame.prefix(n)))
                #expect(s.transport == nil || n >= frame.count - 8, "prefix \(n)")
                if let t = s.truncatedIn { seen.insert(t) }
                if n < 14 { #expect(s.truncatedIn == .ethernet && s.ethernet == nil) }
            }
            #expect(seen.contains(.ethernet) && seen.contains(top))
        }
        let cut = Dissector.summarize(Array(frames[0].prefix(14 + 8 + 30)))
        #expect(cut.ethernet?.vlanTags.count == 2)
        #expect(cut.network != nil)
        #expect(cut.truncatedIn == .tcp)
        #expect(cut.description.hasSuffix("[truncated in tcp]"))
        #expect(Dissector.summarize(Array(frames[0].prefix(16))).truncatedIn == .vlan)
    }

    @Test func malformedFieldsAreReportedNotTrusted() {
        var badIHL = Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 6, Frame.tcp(src: 1, dst: 2, flags: 0)))
        badIHL[14] = 0x43
        let s = Dissector.summarize(badIHL)
        #expect(s.network == nil)
        #expect(s.problems == ["IPv4 header length 12 < 20"])
        var badVersion = Frame.ethernet(type: 0x86DD, Frame.ipv6(next: 59, []))
        badVersion[14] = 0x40
        #expect(Dissector.summarize(badVersion).problems == ["IP version 4 under IPv6 type"])
    }

    @Test func cookedCaptures() {
        var sll = Frame()
        sll.u16(0); sll.u16(1); sll.u16(6); sll.bytes += Frame.srcMAC + [0, 0]; sll.u16(0x0800)
        let ip = Frame.ipv4(proto: 17, Frame.udp(src: 1, dst: 2))
        let s = Dissector.summarize(sll.bytes + ip, linkType: .linuxSLL)
        #expect(s.cooked?.address == Frame.srcMAC)
        #expect(s.transport == .udp(UDPHeader(sourcePort: 1, destinationPort: 2, length: 8)))
        guard case .converted(let eth) = Dissector.ethernetFrame(sll.bytes + ip, linkType: .linuxSLL) else {
            Issue.record("not converted"); return
        }
        #expect(eth == [0, 0, 0, 0, 0, 0] + Frame.srcMAC + [0x08, 0x00] + ip)

        var sll2 = Frame()
        sll2.u16(0x86DD); sll2.u16(0); sll2.u32(7); sll2.u16(1); sll2.u8(1); sll2.u8(6); sll2.bytes += Frame.srcMAC + [0, 0]
        let v6 = Frame.ipv6(next: 58, Frame.icmp(type: 128, code: 0))
        let s2 = Dissector.summarize(sll2.bytes + v6, linkType: .linuxSLL2)
        #expect(s2.cooked?.interfaceIndex == 7)
        #expect(s2.transport == .icmpv6(ICMPHeader(type: 128, code: 0)))
        guard case .converted(let eth2) = Dissector.ethernetFrame(sll2.bytes + v6, linkType: .linuxSLL2) else {
            Issue.record("not converted"); return
        }
        #expect(Array(eth2.prefix(6)) == MACAddress.broadcast.bytes)

        var llc = sll
        llc.bytes[14...] = [0, 4]
        guard case .unconvertible(let why) = Dissector.ethernetFrame(llc.bytes, linkType: .linuxSLL) else {
            Issue.record("converted an LLC frame"); return
        }
        #expect(why.contains("0x0004"))
        #expect(Dissector.summarize([1, 2, 3], linkType: .linuxSLL).truncatedIn == .cooked)
    }

    @Test func rawIP() {
        let s = Dissector.summarize(Frame.ipv6(next: 17, Frame.udp(src: 1, dst: 2)), linkType: .raw)
        #expect(s.etherType == 0x86DD && s.transport != nil)
        #expect(Dissector.ethernetFrame([], linkType: .raw) == .unconvertible("empty RAW frame"))
    }

    @Test func ipv6Text() {
        #expect(IPv6Address(high: 0, low: 1).description == "::1")
        #expect(IPv6Address(high: 0, low: 0).description == "::")
        #expect(IPv6Address(high: 0x2001_0db8_0000_0001, low: 0x0000_0000_0000_0001).description == "2001:db8:0:1::1")
        #expect(IPv6Address(high: 0x2001_0db8_0000_0000, low: 0x0001_0000_0000_0001).description == "2001:db8::1:0:0:1")
        #expect(IPv6Address(high: 0x2001_0db8_0001_0001, low: 0x0001_0001_0001_0001).description == "2001:db8:1:1:1:1:1:1")
    }
}
