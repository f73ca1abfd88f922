import Foundation
import Pcap
import Testing

/// Wireshark's and tcpdump's readers, when installed (Debian: apt-get install tshark tcpdump).
enum Tool {
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let tshark = find("tshark")
    static let tcpdump = find("tcpdump")

    /// Runs a tool and returns its standard output; standard error (tshark's root warning) is dropped.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("Files we write, read by tshark and tcpdump")
struct ExternalToolTests {
    /// Frames of several kinds, one of them stored cut short (caplen < len).
    static func writeSample(to path: String) throws -> [(caplen: Int, len: Int)] {
        let frames: [([UInt8], UInt32?)] = [
            (Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 6, Frame.tcp(src: 1234, dst: 80, flags: 0x02))), nil),
            (Frame.ethernet(vlans: [(0x8100, 7)], type: 0x0800, Frame.ipv4(proto: 17, Frame.udp(src: 9, dst: 10))), nil),
            (Frame.ethernet(type: 0x86DD, Frame.ipv6(next: 58, Frame.icmp(type: 128, code: 0))), 1500),
            (Frame.ethernet(type: 0x0800, Frame.ipv4(proto: 1, Frame.icmp(type: 8, code: 0)))
                + [UInt8](repeating: 0xEE, count: 300), nil),
        ]
        let writer = try PcapWriter(path: path)
        for (i, (bytes, orig)) in frames.enumerated() {
            try writer.write(timestamp: PcapTimestamp(seconds: 1_700_000_000 + UInt64(i), microseconds: 500),
                             bytes: bytes, originalLength: orig)
        }
        try writer.close()
        return frames.map { ($0.0.count, Int($0.1 ?? UInt32($0.0.count))) }
    }

    @Test(.enabled(if: Tool.tshark != nil, "tshark is not installed (apt-get install tshark)"))
    func tsharkReadsTheLengthsWeWrote() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.pcap").path
        let expected = try Self.writeSample(to: path)
        let r = try Tool.run(Tool.tshark!, ["-r", path, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len",
                                            "-e", "frame.time_epoch", "-e", "vlan.id"])
        #expect(r.status == 0)
        let rows = r.output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.map { Int($0[0]) } == expected.map { $0.len })
        #expect(rows.map { Int($0[1]) } == expected.map { $0.caplen })
        #expect(rows.first.map { String($0[2]) } == "1700000000.000500000")
        #expect(rows.count > 1 && rows[1].count > 3 && rows[1][3] == "7")
    }

    @Test(.enabled(if: Tool.tcpdump != nil, "tcpdump is not installed (apt-get install tcpdump)"))
    func tcpdumpReadsIt() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.pcap").path
        _ = try Self.writeSample(to: path)
        let r = try Tool.run(Tool.tcpdump!, ["-nn", "-r", path])
        #expect(r.status == 0)
        let lines = r.output.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.first?.contains("10.0.0.1.1234 > 10.0.0.2.80") == true)
        #expect(lines.last?.contains("ICMP echo request") == true)
    }

    @Test(.enabled(if: Tool.tshark != nil, "tshark is not installed (apt-get install tshark)"))
    func tsharkPcapngOutputReadsBack() throws {
        // tshark writes pcapng by default: ours must read what it makes of our own file.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ours = dir.appendingPathComponent("out.pcap").path
        let theirs = dir.appendingPathComponent("out.pcapng").path
        let expected = try Self.writeSample(to: ours)
        let r = try Tool.run(Tool.tshark!, ["-r", ours, "-F", "pcapng", "-w", theirs])
        #expect(r.status == 0)
        let back = CaptureReader.readAll(path: theirs)
        #expect(back.error == nil)
        #expect(back.format == .pcapng)
        #expect(back.records.map(\.capturedLength) == expected.map { $0.caplen })
        #expect(back.records.map { Int($0.originalLength) } == expected.map { $0.len })
        #expect(back.records == CaptureReader.readAll(path: ours).records)
    }
}
