import BPFCore
#if canImport(Glibc)
import Glibc
#endif
import BPFVM

/// BPF_PROG_TEST_RUN for a SCHED_CLS (or SOCKET_FILTER) program, as Linux 6.18 does it.
public struct TCTestRun: Sendable {
    /// The largest data_in: a page minus the skb's headroom and its shared-info tail.
    public static let maxPacket = 4096 - SKBuff.defaultHeadroom - 320
    static let ethernetHeader = 14

    public struct Result: Hashable, Sendable {
        /// The program's 32-bit return value (-1 reads as 0xffffffff).
        public var returnValue: UInt32
        /// The packet as the program left it (data_out).
        public var packet: [UInt8]
        public var metadata: SKBMetadata
        public var redirect: RedirectTarget?
        /// Average duration of one run.
        public var nanosecondsPerRun: UInt64
    }

    public enum Failure: Error, Equatable, Sendable {
        /// The kernel's refusal before running: EINVAL for a bad packet size.
        case refused(LinuxErrno, String)
        case fault(VMFault)
    }

    /// The skb the kernel builds from data_in: on the loopback device (ifindex 1), protocol and
    /// packet type from the Ethernet header, data at the Ethernet header.
    public static func makeSKB(_ packet: [UInt8], device: NetDevice? = nil) throws(Failure) -> SKBuff {
        guard packet.count >= 14 else {
            throw .refused(.EINVAL, "test-run needs at least an Ethernet header (14 bytes, \(packet.count) given)")
        }
        guard packet.count <= maxPacket else {
            throw .refused(.EINVAL, "test-run data is limited to \(maxPacket) bytes (\(packet.count) given)")
        }
        let etherType = UInt16(packet[12]) << 8 | UInt16(packet[13])
        if etherType == 0x0800 && packet.count < 34 {
            throw .refused(.EINVAL, "an IPv4 frame needs at least 34 bytes (\(packet.count) given)")
        }
        if etherType == 0x86dd && packet.count < 54 {
            throw .refused(.EINVAL, "an IPv6 frame needs at least 54 bytes (\(packet.count) given)")
        }
        var metadata = SKBMetadata()
        (metadata.protocol, metadata.pktType) = SKBuff.classify(packet)
        metadata.ifindex = 1
        if let device {
            // A ctx_in naming a device: eth_type_trans against its address, wire_len the length.
            (metadata.protocol, metadata.pktType) = SKBuff.classify(packet, deviceAddress: device.mac,
                                                                   hasBroadcast: !device.isLoopback)
            metadata.ifindex = device.ifindex
            metadata.wireLen = UInt32(packet.count)
        }
        metadata.socket = socket(for: packet, protocol: metadata.protocol)
        return SKBuff(packet: packet, metadata: metadata)
    }

    /// The socket test-run attaches: its family and addresses come from the IP header.
    static func socket(for packet: [UInt8], protocol: UInt16) -> SKBSocket {
        switch `protocol` {
        case 0x0800 where packet.count >= 34:
            return SKBSocket(family: 2, source: Array(packet[26..<30]), destination: Array(packet[30..<34]))
        case 0x86dd where packet.count >= 54:
            return SKBSocket(family: 10, source: Array(packet[22..<38]), destination: Array(packet[38..<54]))
        default:
            return SKBSocket()
        }
    }

    /// Runs the program `repeat` times (0 counts as 1) on one skb, as the kernel does: each run
    /// sees what the previous one left.
    public static func run(_ program: TCProgram, packet: [UInt8], repeat count: UInt32 = 1, device: NetDevice? = nil,
                           runner: TCProgramRunner = TCProgramRunner()) throws(Failure) -> Result {
        let skb = try makeSKB(packet, device: device)
        // A socket filter is not an L2 program: the kernel pulls the Ethernet header before the
        // run and pushes it back, zeroed, after it.
        let l2 = program.type != .socketFilter
        if !l2 { skb.buffer.pull(ethernetHeader) }
        let runs = max(count, 1)
        let outcome: TCRunOutcome
        // CPU time of this thread, as the kernel counts a test-run only while it runs (it
        // leaves the time it was scheduled out), so a busy machine does not inflate it.
        let start = TCServices.clock(CLOCK_THREAD_CPUTIME_ID)
        do throws(VMFault) {
            outcome = try runner.run(program, on: skb, repeat: runs)
        } catch {
            throw .fault(error)
        }
        let nanoseconds = TCServices.clock(CLOCK_THREAD_CPUTIME_ID) &- start
        if !l2 {
            skb.buffer.push(ethernetHeader)
            skb.buffer.zero(at: 0, count: ethernetHeader)
        }
        return Result(returnValue: UInt32(truncatingIfNeeded: outcome.returnValue), packet: skb.packet,
                      metadata: skb.metadata, redirect: outcome.redirect, nanosecondsPerRun: nanoseconds / UInt64(runs))
    }
}
