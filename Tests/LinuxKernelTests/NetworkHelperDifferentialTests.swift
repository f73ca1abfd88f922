import BPFCore
import Engine
import LinuxKernel
import TCX
import TCXScript
import Testing

/// bpf_fib_lookup, bpf_check_mtu and the socket lookups on requests nobody wrote by hand: the
/// same world on both backends, random parameters (seeded), the results and output packets must
/// be the same.
@Suite(needsKernel)
struct NetworkHelperDifferentialTests {
    static let setup = """
        dev v1 veth v2
        dev v3 veth v4
        mac v1 02:00:00:00:01:01
        mac v2 02:00:00:00:02:02
        mac v3 02:00:00:00:03:03
        mac v4 02:00:00:00:04:04
        mtu v1 1400
        addr v1 10.0.1.1/24
        addr v3 10.0.3.1/28
        addr v1 2001:db8:1::1/64
        addr v3 2001:db8:3::1/64
        route 10.9.0.0/16 dev v1 via 10.0.1.254
        route 0.0.0.0/0 dev v3 via 10.0.3.14
        route 2001:db8:9::/48 dev v1 via 2001:db8:1::fe
        route ::/0 dev v3 via fe80::1
        neigh v1 10.0.1.254 aa:bb:cc:00:00:01
        neigh v1 10.0.1.7 aa:bb:cc:00:00:07
        neigh v1 2001:db8:1::fe aa:bb:cc:00:00:02
        neigh v3 fe80::1 aa:bb:cc:00:00:03
        listen tcp 10.0.1.1 80
        listen tcp :: 443
        listen udp 10.0.3.1 53
        """

    static var corpus: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Tests/Fixtures/corpus/net"
    }

    /// Opens the world, runs the setup and loads `section` of `file`.
    static func prepare(_ system: any NetworkStateSystem & BPFObjectSystem, _ file: String,
                        _ section: String) throws -> Handle {
        let lines = try ScriptParser.parse(setup, file: "setup")
        for result in ScriptRunner(system: system, directory: corpus).run(lines) where result.result != "ok" {
            Issue.record("\(system.backendName): \(result.printed)")
        }
        return try load(system, file, section)
    }

    static func load(_ system: any BPFObjectSystem, _ file: String, _ section: String) throws -> Handle {
        let bytes = try #require(ScriptFile.readBytes(corpus + "/" + file))
        let object = try LoadedObject(bytes: bytes, name: file, system: system)
        return try object.loadProgram(section, as: section)
    }

    static let ipv4Pool: [[UInt8]] = [[10, 9, 1, 1], [10, 0, 1, 7], [10, 0, 1, 8], [10, 0, 1, 1], [10, 0, 1, 255],
                                      [10, 0, 3, 1], [10, 0, 3, 15], [8, 8, 8, 8], [127, 0, 0, 1], [224, 0, 0, 1],
                                      [255, 255, 255, 255], [0, 0, 0, 0]]
    static let ipv6Pool: [[UInt8]] = [
        [0x20, 0x01, 0x0d, 0xb8, 0, 9] + Array(repeating: 0, count: 9) + [5],
        [0x20, 0x01, 0x0d, 0xb8, 0, 1] + Array(repeating: 0, count: 9) + [1],
        [0x20, 0x01, 0x0d, 0xb8, 0, 1] + Array(repeating: 0, count: 10),
        [0x20, 0x01, 0x0d, 0xb8, 0, 1] + Array(repeating: 0, count: 9) + [9],
        [0x20, 0x01, 0x0d, 0xb8, 0x77, 0] + Array(repeating: 0, count: 9) + [1],
        [0xfe, 0x80] + Array(repeating: 0, count: 13) + [1],
        Array(repeating: 0, count: 15) + [1],
        [0xff, 0x02] + Array(repeating: 0, count: 13) + [1],
    ]

    /// A fib_probe frame with random parameters.
    static func fibFrame(_ random: inout SplitMix64) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 64)
        let family: UInt8 = [2, 10, 2, 10, 7].randomElement(using: &random) ?? 2
        p[0] = family
        p[1] = [6, 17].randomElement(using: &random) ?? 6
        let totLen: UInt16 = [0, 0, 1000, 1400, 1401, 1500, UInt16.random(in: 0...2000, using: &random)].randomElement(using: &random) ?? 0
        p[6] = UInt8(truncatingIfNeeded: totLen)
        p[7] = UInt8(truncatingIfNeeded: totLen >> 8)
        p[8] = [1, 2, 3, 4, 5, 99].randomElement(using: &random) ?? 1
        p[12] = [0, 0, 0x10].randomElement(using: &random) ?? 0
        let pool = family == 10 ? ipv6Pool : ipv4Pool
        let destination = pool.randomElement(using: &random) ?? []
        p.replaceSubrange(32..<32 + destination.count, with: destination)
        if Bool.random(using: &random), let source = pool.randomElement(using: &random) {
            p.replaceSubrange(16..<16 + source.count, with: source)
        }
        p[48] = [0, 254, 255, 100].randomElement(using: &random) ?? 0
        p[52] = UInt8.random(in: 0...3, using: &random)
        var flags = UInt32.random(in: 0...63, using: &random)
        if UInt8.random(in: 0...15, using: &random) == 0 { flags |= 64 }
        let length: UInt32 = UInt8.random(in: 0...15, using: &random) == 0 ? 63 : 64
        let header: [UInt8] = [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 2, 2, 0x88, 0xb5]
        let padding = [UInt8](repeating: 0, count: Int.random(in: 0...1500, using: &random))
        return header + p + withUnsafeBytes(of: flags.littleEndian, Array.init)
            + withUnsafeBytes(of: length.littleEndian, Array.init) + padding
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func fibLookupsAgree() throws {
        let embedded = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            embedded.shutdown()
            kernel.shutdown()
        }
        let programs = (try Self.prepare(embedded, "fib.o", "fib_probe"), try Self.prepare(kernel, "fib.o", "fib_probe"))
        var random = SplitMix64(seed: 0x6669_625f_6c6f_6f6b)
        for _ in 0..<400 {
            let frame = Self.fibFrame(&random)
            let device = UInt32([0, 1, 2, 3, 4].randomElement(using: &random) ?? 0)
            let results = device == 0
                ? (try embedded.testRun(programs.0, packet: frame, repeat: 1),
                   try kernel.testRun(programs.1, packet: frame, repeat: 1))
                : (try embedded.testRun(programs.0, packet: frame, repeat: 1, ifindex: device),
                   try kernel.testRun(programs.1, packet: frame, repeat: 1, ifindex: device))
            #expect(results.0.returnValue == results.1.returnValue && results.0.packetOut == results.1.packetOut,
                    "dev \(device) ret \(Int32(bitPattern: results.0.returnValue)) vs kernel \(Int32(bitPattern: results.1.returnValue)) frame \(Self.hex(Array(frame.prefix(86)))) length \(frame.count)")
        }
    }

    @Test func mtuChecksAgree() throws {
        let embedded = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            embedded.shutdown()
            kernel.shutdown()
        }
        let programs = (try Self.prepare(embedded, "mtu.o", "mtu_probe"), try Self.prepare(kernel, "mtu.o", "mtu_probe"))
        var random = SplitMix64(seed: 0x6d74_755f_6368_6b)
        for _ in 0..<300 {
            let words: [UInt32] = [
                [0, 1, 2, 3, 4, 5, 99].randomElement(using: &random) ?? 0,
                [0, 0, 100, 1400, 1500, UInt32.random(in: 0...UInt32.max, using: &random)].randomElement(using: &random) ?? 0,
                [0, 0, 10, UInt32(bitPattern: -10), UInt32(bitPattern: Int32.max), UInt32(bitPattern: Int32.min)].randomElement(using: &random) ?? 0,
                [0, 0, 0, 1, 2].randomElement(using: &random) ?? 0,
            ]
            let frame: [UInt8] = [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 2, 2, 0x88, 0xb5]
                + words.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
                + [UInt8](repeating: 0, count: Int.random(in: 0...1600, using: &random))
            let device = UInt32([1, 2, 3, 4].randomElement(using: &random) ?? 1)
            let results = (try embedded.testRun(programs.0, packet: frame, repeat: 1, ifindex: device),
                           try kernel.testRun(programs.1, packet: frame, repeat: 1, ifindex: device))
            #expect(results.0.returnValue == results.1.returnValue && results.0.packetOut == results.1.packetOut,
                    "dev \(device) words \(words) length \(frame.count)")
        }
    }

    /// An IPv4 or IPv6 frame with TCP/UDP ports from the sockets' and other values.
    static func socketFrame(_ random: inout SplitMix64, v6: Bool) -> [UInt8] {
        let pool = v6 ? ipv6Pool : ipv4Pool + [[10, 0, 3, 1]]
        let source = pool.randomElement(using: &random) ?? []
        let destination = pool.randomElement(using: &random) ?? []
        let ports: [UInt16] = [80, 443, 53, 81, UInt16.random(in: 0...UInt16.max, using: &random)]
        let sport = ports.randomElement(using: &random) ?? 0, dport = ports.randomElement(using: &random) ?? 0
        var ip: [UInt8]
        if v6 {
            ip = [0x60, 0, 0, 0, 0, 56, 6, 64] + source + destination
        } else {
            ip = [0x45, 0, 0, 76, 0, 0, 0, 0, 64, 6, 0, 0] + source + destination
        }
        let l4: [UInt8] = [UInt8(sport >> 8), UInt8(truncatingIfNeeded: sport), UInt8(dport >> 8),
                           UInt8(truncatingIfNeeded: dport), 0, 0, 0, 0]
        return [2, 0, 0, 0, 1, 1, 2, 0, 0, 0, 9, 9, v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00] + ip + l4
            + [UInt8](repeating: 0, count: 48)
    }

    @Test func socketLookupsAgree() throws {
        let embedded = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            embedded.shutdown()
            kernel.shutdown()
        }
        var random = SplitMix64(seed: 0x736f_636b)
        _ = (try Self.prepare(embedded, "sockets.o", "tcp4"), try Self.prepare(kernel, "sockets.o", "tcp4"))
        for section in ["tcp4", "udp4", "tcp6", "skc4", "odd4"] {
            let programs = (try Self.load(embedded, "sockets.o", section), try Self.load(kernel, "sockets.o", section))
            for _ in 0..<60 {
                let frame = Self.socketFrame(&random, v6: section == "tcp6")
                let results = (try embedded.testRun(programs.0, packet: frame, repeat: 1),
                               try kernel.testRun(programs.1, packet: frame, repeat: 1))
                #expect(results.0.returnValue == results.1.returnValue && results.0.packetOut == results.1.packetOut,
                        "\(section) frame \(Self.hex(frame.prefix(70).map { $0 }))")
            }
        }
    }
}
