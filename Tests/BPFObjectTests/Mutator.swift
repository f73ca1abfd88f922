/// Deterministic mutations of a well-formed object, aimed at the fields a parser trusts.
struct Mutator {
    /// SplitMix64: small, seedable, good enough to spread mutations.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    let original: [UInt8]
    /// Offsets of header, section-header, symbol, relocation and BTF-header fields.
    let fields: [Int]
    /// Byte ranges worth hitting more often than the debug sections: code, BTF, symbols.
    let hotRanges: [Range<Int>]

    init(_ bytes: [UInt8]) {
        original = bytes
        var fields = [4, 5, 16, 18, 40, 58, 60, 62]
        var hot: [Range<Int>] = []
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func u64(_ at: Int) -> Int { u32(at) | u32(at + 4) << 32 }
        let shoff = u64(40), count = u16(60)
        let names = shoff + u16(62) * 64
        for i in 0 ..< count {
            let header = shoff + i * 64
            fields += [0, 4, 8, 24, 32, 40, 44, 56].map { header + $0 }
            let type = u32(header + 4), offset = u64(header + 24), size = u64(header + 32)
            let nameAt = u64(names + 24) + u32(header)
            let name = String(decoding: bytes[nameAt...].prefix { $0 != 0 }, as: UTF8.self)
            let body = offset ..< offset + (type == 8 ? 0 : size)
            switch type {
            case 2: fields += stride(from: offset, to: offset + size, by: 24).flatMap { [$0, $0 + 4, $0 + 6, $0 + 8, $0 + 16] }
            case 9: fields += stride(from: offset, to: offset + size, by: 16).flatMap { [$0, $0 + 8, $0 + 12] }
            default: break
            }
            if name == ".BTF" || name == ".BTF.ext" { fields += stride(from: offset, to: offset + 32, by: 4).map { $0 } }
            if name == ".BTF" || name == ".maps" || name == "maps" || (type == 1 && u64(header + 8) & 4 != 0) { hot.append(body) }
        }
        self.fields = fields.filter { $0 < bytes.count }
        hotRanges = hot.filter { !$0.isEmpty }
    }

    static let interesting: [UInt64] = [0, 1, 2, 7, 8, 0x10, 0x18, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff,
                                        0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_ffff_ffff_ffff, 0x7fff_ffff_ffff_ffff]

    func mutate(_ random: inout Random) -> [UInt8] {
        var bytes = original
        for _ in 0 ... random.below(3) {
            switch random.below(6) {
            case 0:   // flip bits anywhere
                for _ in 0 ... random.below(8) { bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8)) }
            case 1:   // random bytes where the parser looks hardest
                guard let hot = hotRanges.randomElement(using: &random) else { continue }
                let range = hot.clamped(to: 0 ..< bytes.count)
                guard !range.isEmpty else { continue }
                for _ in 0 ... random.below(4) { bytes[range.lowerBound + random.below(range.count)] = UInt8(random.below(256)) }
            case 2, 3:   // a structural field set to an edge value, or nudged
                let at = fields[random.below(fields.count)]
                let old = read(bytes, at)
                let value = random.below(2) == 0 ? Self.interesting[random.below(Self.interesting.count)]
                                                 : old &+ UInt64(bitPattern: Int64(random.below(33) - 16))
                write(&bytes, at, value, width: [1, 2, 4, 8][random.below(4)])
            case 4:   // truncate
                bytes = Array(bytes.prefix(random.below(bytes.count)))
            default:  // splice a chunk over another place
                let length = random.below(64) + 1
                let from = random.below(bytes.count), to = random.below(bytes.count)
                let chunk = Array(bytes[from ..< min(bytes.count, from + length)])
                for (k, b) in chunk.enumerated() where to + k < bytes.count { bytes[to + k] = b }
            }
            if bytes.isEmpty { break }
        }
        return bytes
    }

    private func read(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0 ..< 8).reduce(0) { value, k in at + k < bytes.count ? value | UInt64(bytes[at + k]) << (8 * UInt64(k)) : value }
    }

    private func write(_ bytes: inout [UInt8], _ at: Int, _ value: UInt64, width: Int) {
        for k in 0 ..< width where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
    }
}

extension Mutator.Random: RandomNumberGenerator {}
