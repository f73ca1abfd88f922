// Packet bytes for the dissector tests, built field by field (network byte order).
struct Frame {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }

    static let dstMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x02]
    static let srcMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]

    static func ethernet(vlans: [(tpid: UInt16, tci: UInt16)] = [], type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var f = Frame()
        f.bytes = dstMAC + srcMAC
        for v in vlans { f.u16(v.tpid); f.u16(v.tci) }
        f.u16(type)
        return f.bytes + payload
    }

    static func ipv4(src: [UInt8] = [10, 0, 0, 1], dst: [UInt8] = [10, 0, 0, 2], proto: UInt8,
                     flags: UInt16 = 0, options: [UInt8] = [], id: UInt16 = 0x1234, _ payload: [UInt8]) -> [UInt8] {
        var f = Frame()
        f.u8(0x45 + UInt8(options.count / 4)); f.u8(0)
        f.u16(UInt16(20 + options.count + payload.count)); f.u16(id); f.u16(flags)
        f.u8(64); f.u8(proto); f.u16(0)
        f.bytes += src + dst + options
        return f.bytes + payload
    }

    static let v6src: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    static let v6dst: [UInt8] = [0xfe, 0x80] + [UInt8](repeating: 0, count: 6) + [0, 0, 0, 0, 0, 0xab, 0xcd, 0xef]

    static func ipv6(next: UInt8, _ payload: [UInt8]) -> [UInt8] {
        var f = Frame()
        f.u32(0x6000_0000); f.u16(UInt16(payload.count)); f.u8(next); f.u8(64)
        f.bytes += v6src + v6dst
        return f.bytes + payload
    }

    static func tcp(src: UInt16, dst: UInt16, flags: UInt8, seq: UInt32 = 1000) -> [UInt8] {
        var f = Frame()
        f.u16(src); f.u16(dst); f.u32(seq); f.u32(0); f.u8(0x50); f.u8(flags); f.u16(65535); f.u16(0); f.u16(0)
        return f.bytes
    }

    static func udp(src: UInt16, dst: UInt16, payload: [UInt8] = []) -> [UInt8] {
        var f = Frame()
        f.u16(src); f.u16(dst); f.u16(UInt16(8 + payload.count)); f.u16(0)
        return f.bytes + payload
    }

    static func icmp(type: UInt8, code: UInt8) -> [UInt8] { [type, code, 0, 0, 0, 1, 0, 1] }
}
