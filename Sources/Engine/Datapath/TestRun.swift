import BPFCore
import TCX

/// BPF_PROG_TEST_RUN for tc programs: the kernel's size rules, then the VM.
enum TestRun {
    static func run(_ program: ProgramObject, packet: [UInt8], repeat count: UInt32) throws(TCXError) -> TestRunResult {
        guard packet.count >= 14 else {
            throw TCXError(.EINVAL, "test-run needs at least an Ethernet header (14 bytes, \(packet.count) given)")
        }
        let etherType = UInt16(packet[12]) << 8 | UInt16(packet[13])
        if etherType == 0x0800 && packet.count < 34 {
            throw TCXError(.EINVAL, "an IPv4 frame needs at least 34 bytes (\(packet.count) given)")
        }
        if etherType == 0x86dd && packet.count < 54 {
            throw TCXError(.EINVAL, "an IPv6 frame needs at least 54 bytes (\(packet.count) given)")
        }
        let runs = max(count, 1)
        var result: UInt64 = 0
        var out = packet
        let start = ContinuousClock.now
        for _ in 0..<runs {
            out = packet
            result = try program.executable.run(packet: &out)
        }
        let elapsed = ContinuousClock.now - start
        let total = UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
        return TestRunResult(returnValue: UInt32(truncatingIfNeeded: result), packetOut: out,
                             durationNanoseconds: total / UInt64(runs))
    }
}
