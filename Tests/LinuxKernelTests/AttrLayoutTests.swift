import BPFCore
@testable import LinuxKernel
import TCX
import Testing

/// The byte layout of what goes to bpf(2); needs no kernel.
struct AttrLayoutTests {
    @Test func attrIsTheWholeZeroedUnion() {
        let attr = BPFAttr.zeroed()
        #expect(attr.bytes.count == 168)
        #expect(attr.bytes.allSatisfy { $0 == 0 })
    }

    @Test func attachFieldsSitAtTheirOffsets() {
        var attr = BPFAttr.zeroed()
        attr.set(BPFAttr.Attach.targetIfindex, UInt32(0x0403_0201))
        attr.set(BPFAttr.Attach.attachBPFFD, UInt32(5))
        attr.set(BPFAttr.Attach.attachType, UInt32(46))
        attr.set(BPFAttr.Attach.attachFlags, UInt32(0x2008))
        attr.set(BPFAttr.Attach.replaceBPFFD, UInt32(6))
        attr.set(BPFAttr.Attach.relative, UInt32(7))
        attr.set(BPFAttr.Attach.expectedRevision, UInt64(0x1122_3344_5566_7788))
        #expect(Array(attr.bytes[0..<4]) == [1, 2, 3, 4])
        #expect(attr.bytes[4] == 5 && attr.bytes[8] == 46 && attr.bytes[16] == 6 && attr.bytes[20] == 7)
        #expect(Array(attr.bytes[12..<14]) == [0x08, 0x20])
        #expect(Array(attr.bytes[24..<32]) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect(attr.bytes[32...].allSatisfy { $0 == 0 })
        #expect(BPFCommand.progAttach.attrSize == 32 && BPFCommand.progDetach.attrSize == 32)
    }

    @Test func queryAndLinkCreateOffsets() {
        #expect(BPFAttr.Query.count.offset == 24)
        #expect(BPFAttr.Query.linkIDs.offset == 40)
        #expect(BPFAttr.Query.revision.offset == 56 && BPFAttr.Query.revision.width == 8)
        #expect(BPFCommand.progQuery.attrSize == 64)
        #expect(BPFAttr.LinkCreate.relative.offset == 16)
        #expect(BPFAttr.LinkCreate.expectedRevision.offset == 24)
        #expect(BPFAttr.LinkUpdate.oldProgFD.offset == 12)
        #expect(BPFAttr.TestRun.repeatCount.offset == 32 && BPFAttr.TestRun.duration.offset == 36)
        #expect(BPFAttr.ProgLoad.expectedAttachType.offset == 68)
        #expect(BPFCommand.linkCreate.attrSize == 168)
    }

    @Test func pointersAndValuesRoundTrip() {
        var attr = BPFAttr.zeroed()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
        defer { buffer.deallocate() }
        attr.set(BPFAttr.Query.progIDs, pointer: buffer)
        #expect(attr.get(BPFAttr.Query.progIDs) == UInt64(UInt(bitPattern: buffer)))
        attr.set(BPFAttr.Query.count, UInt32.max)
        #expect(attr.get32(BPFAttr.Query.count) == UInt32.max)
        #expect(attr.get(BPFAttr.Query.progAttachFlags) == 0)
    }

    @Test func programNamesAreSanitised() {
        var attr = BPFAttr.zeroed()
        let name = ProgramLoader.kernelName("a-very/long name.with_16+")
        #expect(name.count == 15)
        #expect(String(decoding: name, as: UTF8.self) == "a_very_long_nam")
        attr.set(BPFAttr.ProgLoad.progName, name)
        #expect(attr.string(BPFAttr.ProgLoad.progName) == "a_very_long_nam")
        #expect(attr.bytes[63] == 0)
    }

    @Test func netlinkMessagesAreAlignedAndSized() {
        var message = NetlinkMessage(type: NetlinkABI.newLink, flags: NetlinkABI.flagRequest)
        message.appendLinkHeader(index: 3)
        message.appendAttribute(NetlinkABI.iflaIfname, string: "ab")
        message.appendNested(NetlinkABI.iflaLinkinfo) { $0.appendAttribute(NetlinkABI.iflaInfoKind, string: "veth") }
        let bytes = message.finished(sequence: 9)
        #expect(bytes.count % 4 == 0)
        #expect(Int(bytes[0]) | Int(bytes[1]) << 8 == bytes.count)
        #expect(bytes[8] == 9 && bytes[20] == 3)
        let attributes = NetlinkAttributes(bytes[32...])
        #expect(attributes.string(NetlinkABI.iflaIfname) == "ab")
        #expect(attributes.nested(NetlinkABI.iflaLinkinfo)?.string(NetlinkABI.iflaInfoKind) == "veth")
    }

    @Test func btfLoadAndProgLoadBTFOffsets() {
        #expect(BPFCommand.btfLoad.rawValue == 18)
        #expect(BPFAttr.BTFLoad.btf.offset == 0 && BPFAttr.BTFLoad.logBuffer.offset == 8)
        #expect(BPFAttr.BTFLoad.size.offset == 16 && BPFAttr.BTFLoad.logSize.offset == 20)
        #expect(BPFAttr.BTFLoad.logLevel.offset == 24)
        #expect(BPFAttr.ProgLoad.progBTFFD.offset == 72 && BPFAttr.ProgLoad.funcInfoRecSize.offset == 76)
        #expect(BPFAttr.ProgLoad.funcInfo.offset == 80 && BPFAttr.ProgLoad.funcInfo.width == 8)
        #expect(BPFAttr.ProgLoad.funcInfoCount.offset == 88)
    }
}
