// Capture files built byte by byte in the tests, independent of the module's writer, so the
// reader is checked against the format itself rather than against its own twin.
import Foundation
import Pcap

struct Bytes {
    var out: [UInt8] = []
    let big: Bool

    init(big: Bool) { self.big = big }

    mutating func u8(_ v: UInt8) { out.append(v) }
    mutating func u16(_ v: UInt16) { put(UInt64(v), 2) }
    mutating func u32(_ v: UInt32) { put(UInt64(v), 4) }
    mutating func u64(_ v: UInt64) { put(v, 8) }
    mutating func raw(_ b: [UInt8]) { out += b }
    mutating func pad4() { while out.count % 4 != 0 { out.append(0) } }

    private mutating func put(_ v: UInt64, _ n: Int) {
        for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * (big ? n - 1 - i : i)))) }
    }
}

/// A classic pcap file in either byte order and either time resolution.
func classicPcap(big: Bool, nano: Bool, linkType: UInt32 = 1, snaplen: UInt32 = 65535,
                 records: [(sec: UInt32, frac: UInt32, data: [UInt8], orig: UInt32)]) -> [UInt8] {
    var b = Bytes(big: big)
    b.u32(nano ? 0xa1b2_3c4d : 0xa1b2_c3d4)
    b.u16(2); b.u16(4); b.u32(0); b.u32(0); b.u32(snaplen); b.u32(linkType)
    for r in records {
        b.u32(r.sec); b.u32(r.frac); b.u32(UInt32(r.data.count)); b.u32(r.orig); b.raw(r.data)
    }
    return b.out
}

/// pcapng blocks, one call each, in a chosen byte order.
struct PcapngBuilder {
    var out: [UInt8] = []
    var big: Bool

    private mutating func block(_ type: UInt32, _ body: [UInt8]) {
        var b = Bytes(big: big)
        b.u32(type)
        b.u32(UInt32(12 + body.count))
        b.raw(body)
        b.u32(UInt32(12 + body.count))
        out += b.out
    }

    mutating func section(big: Bool) {
        self.big = big
        var b = Bytes(big: big)
        b.u32(0x1A2B_3C4D); b.u16(1); b.u16(0); b.u64(UInt64.max)
        block(0x0A0D_0D0A, b.out)
    }

    mutating func interface(linkType: UInt16 = 1, snaplen: UInt32 = 0, tsresol: UInt8? = nil,
                            name: String? = nil, tsoffset: Int64? = nil) {
        var b = Bytes(big: big)
        b.u16(linkType); b.u16(0); b.u32(snaplen)
        if let name {
            b.u16(2); b.u16(UInt16(name.utf8.count)); b.raw(Array(name.utf8)); b.pad4()
        }
        if let tsresol { b.u16(9); b.u16(1); b.u8(tsresol); b.pad4() }
        if let tsoffset { b.u16(14); b.u16(8); b.u64(UInt64(bitPattern: tsoffset)) }
        b.u16(0); b.u16(0)
        block(1, b.out)
    }

    mutating func enhanced(interface: UInt32 = 0, ticks: UInt64, data: [UInt8], orig: UInt32? = nil) {
        var b = Bytes(big: big)
        b.u32(interface); b.u32(UInt32(ticks >> 32)); b.u32(UInt32(truncatingIfNeeded: ticks))
        b.u32(UInt32(data.count)); b.u32(orig ?? UInt32(data.count)); b.raw(data); b.pad4()
        block(6, b.out)
    }

    mutating func simple(data: [UInt8], orig: UInt32? = nil) {
        var b = Bytes(big: big)
        b.u32(orig ?? UInt32(data.count)); b.raw(data); b.pad4()
        block(3, b.out)
    }

    /// A block the reader must skip (an Interface Statistics Block).
    mutating func statistics() {
        var b = Bytes(big: big)
        b.u32(0); b.u32(0); b.u32(0); b.u16(0); b.u16(0)
        block(5, b.out)
    }
}

/// A fresh directory under the system temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("pcap-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Tests/Fixtures/pcap/NAME, found from this file's path.
func fixturePath(_ name: String) -> String {
    var parts = URL(fileURLWithPath: #filePath).pathComponents
    parts.removeLast(2)  // PcapTests/Builders.swift
    return (parts + ["Fixtures", "pcap", name]).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
}

/// Distinct test payloads: the index shows in the bytes, so a reordering would show.
func payload(_ i: Int, length: Int) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
}
