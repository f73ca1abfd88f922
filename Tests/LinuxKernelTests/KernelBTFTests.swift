import BPFCore
import Engine
import Glibc
import LinuxKernel
import TCX
import TCXScript
import Testing

/// Programs that need their BTF on the kernel (bpf_loop callbacks, subprograms) load with the
/// object's `.BTF` and function records, and run as they do on the embedded backend.
@Suite(needsKernel)
struct KernelBTFTests {
    static let fixtures: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // LinuxKernelTests/KernelBTFTests.swift
        return parts.joined(separator: "/") + "/Fixtures"
    }()

    static func bytes(_ path: String) throws -> [UInt8] {
        let file = try #require(fopen(fixtures + "/" + path, "rb"), "missing \(path)")
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            out += buffer[0 ..< n]
        }
        return out
    }

    /// Each packet's test-run outcome (verdict and packet) for `program` of the object at `path`.
    static func outcomes(_ system: any BPFObjectSystem, _ path: String, _ program: String,
                         _ packets: [[UInt8]]) throws -> [TestRunResult] {
        let object = try LoadedObject(bytes: try bytes(path), name: String(path.split(separator: "/").last!),
                                      system: system)
        defer { object.close() }
        let handle = try object.loadProgram(program, as: program)
        defer { try? system.close(handle) }
        return try packets.map { packet in
            var result = try system.testRun(handle, packet: packet, repeat: 1)
            result.durationNanoseconds = 0
            return result
        }
    }

    static func compare(_ path: String, _ program: String, _ packets: [[UInt8]]) throws {
        let engine = EmbeddedSystem()
        let kernel = try KernelSystem()
        defer {
            engine.shutdown()
            kernel.shutdown()
        }
        let expected = try outcomes(engine, path, program, packets)
        let actual = try outcomes(kernel, path, program, packets)
        #expect(actual == expected, "\(path) \(program)")
    }

    /// 14 bytes of Ethernet (type 0x88b5), then helpers.c's `struct hcmd`, room for the answer.
    static func command(a: Int32, b: UInt32, c: UInt64) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: 12) + [0x88, 0xb5]
        packet += withUnsafeBytes(of: a.littleEndian, Array.init)
        packet += withUnsafeBytes(of: b.littleEndian, Array.init)
        packet += withUnsafeBytes(of: c.littleEndian, Array.init)
        packet += [UInt8](repeating: 0, count: 16 + 40)
        return packet
    }

    @Test func bpfLoopCallbackLoadsAndAgrees() throws {
        let packets = [Self.command(a: 10, b: 0, c: 0), Self.command(a: 10, b: 4, c: 0), Self.command(a: 0, b: 0, c: 0),
                       Self.command(a: 1, b: 1, c: 0), Self.command(a: 5, b: 0, c: 1), Self.command(a: 100, b: 77, c: 0)]
        try Self.compare("programs/helpers.o", "h_loop", packets)
    }

    @Test(arguments: ["uses_middle", "uses_other", "uses_loop", "no_calls"])
    func subprogramsLoadAndAgree(program: String) throws {
        let packets = [14, 40, 63, 64, 65, 100, 1500].map { length in
            (0 ..< length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        }
        try Self.compare("objects/subprogs.o", program, packets)
    }
}
