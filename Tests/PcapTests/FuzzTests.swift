import Foundation
import Pcap
import Testing

/// SplitMix64: small, fast, and the same sequence on every machine, so a failure replays.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// Damaged input must give records or a PcapError, never a trap. PCAP_FUZZ_ITERATIONS raises
// the count (default 3000); PCAP_FUZZ_SEED picks another sequence.
@Suite("Fuzzing")
struct FuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["PCAP_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let seed = UInt64(ProcessInfo.processInfo.environment["PCAP_FUZZ_SEED"] ?? "") ?? 0x5EED

    static let frames: [[UInt8]] = [
        Frame.ethernet(vlans: [(0x88A8, 1), (0x8100, 2)], type: 0x0800,
                       Frame.ipv4(proto: 6, options: [1, 1, 1, 0], Frame.tcp(src: 1, dst: 2, flags: 0x18))),
        Frame.ethernet(type: 0x86DD, Frame.ipv6(next: 0, [44, 0, 1, 4, 0, 0, 0, 0] + [17, 0, 0, 1, 0, 0, 0, 9]
                                                + Frame.udp(src: 3, dst: 4))),
        Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 1, Frame.icmp(type: 3, code: 1))),
    ]

    static var seeds: [[UInt8]] {
        var out: [[UInt8]] = []
        for big in [false, true] {
            for nano in [false, true] {
                out.append(classicPcap(big: big, nano: nano, records: frames.enumerated().map {
                    (UInt32($0.offset), 999, $0.element, UInt32($0.element.count + 4))
                }))
            }
            var b = PcapngBuilder(big: big)
            b.section(big: big)
            b.interface(linkType: 1, snaplen: 96, tsresol: 9, name: "x")
            b.interface(linkType: 113, tsresol: 0x83, tsoffset: -5)
            b.enhanced(ticks: 123_456_789, data: frames[0])
            b.statistics()
            b.simple(data: frames[1])
            b.enhanced(interface: 1, ticks: 99, data: [0, 4, 0, 1, 0, 6] + [UInt8](repeating: 1, count: 8) + [8, 0]
                       + Array(frames[2].dropFirst(14)))
            out.append(b.out)
        }
        for name in ["ethernet.pcapng", "sll2.pcapng", "sll.pcap"] {
            if let bytes = try? fileBytes(fixturePath(name)) { out.append(bytes) }
        }
        return out
    }

    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var b = input
        let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x0A, 0x0D]
        for _ in 0...Int.random(in: 0..<4, using: &rng) {
            guard !b.isEmpty else { break }
            let i = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: b[i] = interesting.randomElement(using: &rng) ?? 0
            case 2: b = Array(b.prefix(i))
            case 3:  // a length-sized field set to something extreme
                for k in 0..<min(4, b.count - i) { b[i + k] = [0xFF, 0x00, 0x7F].randomElement(using: &rng) ?? 0 }
            case 4: b.insert(contentsOf: b[i..<min(b.count, i + 16)], at: i)
            case 5: b.removeSubrange(i..<min(b.count, i + Int.random(in: 1...12, using: &rng)))
            default: b[i] = UInt8.random(in: 0...255, using: &rng)
            }
        }
        return b
    }

    @Test func damagedFilesNeverTrap() {
        var rng = SeededRandom(state: Self.seed)
        let seeds = Self.seeds
        var errors = 0
        var records = 0
        for _ in 0..<Self.iterations {
            let input = Self.mutate(seeds.randomElement(using: &rng) ?? [], &rng)
            let got = CaptureReader.readAll(bytes: input)
            records += got.records.count
            if let e = got.error {
                errors += 1
                #expect(!e.description.isEmpty)
                if let offset = e.offset { #expect(offset <= UInt64(input.count)) }
            }
            for r in got.records {
                #expect(r.data.count <= input.count)
                _ = r.summary.description
                _ = Dissector.ethernetFrame(r.data, linkType: r.linkType)
            }
        }
        // The mutations should reach both outcomes; if not, the fuzzer is not doing its job.
        #expect(errors > 0 && records > 0)
    }

    @Test func damagedFramesNeverTrap() {
        var rng = SeededRandom(state: Self.seed ^ 0xF00D)
        let linkTypes: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .ipv4, .ipv6, LinkType(rawValue: 9999)]
        for _ in 0..<Self.iterations {
            let frame = Self.mutate(Self.frames.randomElement(using: &rng) ?? [], &rng)
            for lt in linkTypes {
                let s = Dissector.summarize(frame, linkType: lt)
                _ = s.description
                _ = Dissector.ethernetFrame(frame, linkType: lt)
            }
        }
        for n in 0..<64 {
            let random = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for lt in linkTypes { _ = Dissector.summarize(random, linkType: lt).description }
        }
    }

    @Test func extremeTimestampResolutions() {
        var rng = SeededRandom(state: Self.seed ^ 0x7157)
        for resol in [UInt8(0), 6, 9, 12, 19, 0x80, 0x81, 0x9E, 0xBF] {
            var b = PcapngBuilder(big: false)
            b.section(big: false)
            b.interface(tsresol: resol, tsoffset: [Int64.min, -1, 0, Int64.max].randomElement(using: &rng))
            for ticks in [UInt64(0), 1, UInt64.max, UInt64.max / 3, UInt64.random(in: 0...UInt64.max, using: &rng)] {
                b.enhanced(ticks: ticks, data: [1])
            }
            let got = CaptureReader.readAll(bytes: b.out)
            #expect(got.error == nil)
            #expect(got.records.allSatisfy { $0.timestamp.nanoseconds < 1_000_000_000 })
        }
    }
}
