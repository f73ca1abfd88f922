import BPFCore
import BPFVM

/// Helpers that read or change skb state besides the bytes: packet type, timestamp, checksum
/// level, ECN, loads relative to a header, the xfrm state, csum_update.
enum SKBStateHelpers {
    /// PACKET_OTHERHOST: the largest packet type a program may set.
    static let maxPacketType: UInt32 = 3
    /// SKB_MAX_CSUM_LEVEL.
    static let maxChecksumLevel: UInt8 = 3

    static func register(_ table: inout HelperTable) {
        table.register(32, name: "skb_change_type", changeType)
        table.register(40, name: "csum_update", checksumUpdate)
        table.register(66, name: "skb_get_xfrm_state", xfrmState)
        table.register(68, name: "skb_load_bytes_relative", loadBytesRelative)
        table.register(97, name: "skb_ecn_set_ce", ECNHelper.setCE)
        table.register(135, name: "csum_level", checksumLevel)
        table.register(192, name: "skb_set_tstamp", setTimestamp)
    }

    static func changeType(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        let type = UInt32(truncatingIfNeeded: call.r2)
        guard run.skb.metadata.pktType <= maxPacketType, type <= maxPacketType else { return failed(.EINVAL) }
        run.skb.metadata.pktType = type
        run.render()
        return 0
    }

    /// Adds to skb->csum only for CHECKSUM_COMPLETE skbs, which tc test-runs never are.
    static func checksumUpdate(_ call: inout HelperCall) -> UInt64 {
        failed(.ENOTSUPP)
    }

    /// No skb here went through IPsec: the buffer is cleared and the call fails.
    static func xfrmState(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r4))
        guard let to = call.memory(at: call.r3, count: size, write: true, "xfrm state") else { return 0 }
        to.initializeMemory(as: UInt8.self, repeating: 0)
        return failed(.EINVAL)
    }

    /// BPF_HDR_START_MAC (0) or BPF_HDR_START_NET (1) plus `offset`, within the packet.
    static func loadBytesRelative(_ call: inout HelperCall) -> UInt64 {
        let length = Int(UInt32(truncatingIfNeeded: call.r4))
        guard let to = call.memory(at: call.r3, count: length, write: true, "skb_load_bytes_relative buffer") else { return 0 }
        let skb = TCRun.from(call).skb
        let offset = UInt64(UInt32(truncatingIfNeeded: call.r2))
        let buffer = skb.buffer
        // Positions in the buffer: the MAC header may lie before the data (a socket filter's
        // skb starts at the network header), and the kernel reads from it all the same.
        let start: Int
        switch call.r5 {
        case 0: start = buffer.macHeader
        case 1: start = buffer.networkHeader
        default: start = -1
        }
        let tail = buffer.headroom + skb.length
        guard offset <= 0xffff, start >= 0, start + Int(offset) + length <= tail else {
            to.initializeMemory(as: UInt8.self, repeating: 0)
            return failed(.EFAULT)
        }
        let from = start + Int(offset)
        for i in 0..<length { to[i] = buffer.storage[from + i] }
        return 0
    }

    /// BPF_CSUM_LEVEL_QUERY (0), _INC (1), _DEC (2), _RESET (3) on CHECKSUM_UNNECESSARY.
    static func checksumLevel(_ call: inout HelperCall) -> UInt64 {
        let skb = TCRun.from(call).skb
        var m = skb.metadata
        switch call.r2 {
        case 0:
            return m.checksumUnnecessary ? UInt64(m.checksumLevel) : failed(.EACCES)
        case 1:
            if m.checksumUnnecessary {
                if m.checksumLevel < maxChecksumLevel { m.checksumLevel += 1 }
            } else {
                m.checksumUnnecessary = true
                m.checksumLevel = 0
            }
        case 2:
            if m.checksumUnnecessary {
                if m.checksumLevel == 0 { m.checksumUnnecessary = false } else { m.checksumLevel -= 1 }
            }
        case 3:
            m.checksumUnnecessary = false
            m.checksumLevel = 0
        default:
            return failed(.EINVAL)
        }
        skb.metadata = m
        return 0
    }

    /// BPF_SKB_CLOCK_REALTIME (0, any value), _MONOTONIC (1) and _TAI (2) (non-zero values).
    static func setTimestamp(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        let stamp = call.r2
        let type = UInt32(truncatingIfNeeded: call.r3)
        // The kernel clears delivery times only for IP packets, so it refuses any other
        // protocol before it looks at the clock (Linux 6.18 bpf_skb_set_tstamp).
        let etherType = run.skb.metadata.protocol
        guard etherType == 0x0800 || etherType == 0x86dd else { return failed(.EOPNOTSUPP) }
        guard type <= 2, type == 0 || stamp != 0 else { return failed(.EINVAL) }
        run.absorbWrites()
        run.skb.metadata.tstamp = stamp
        run.skb.metadata.tstampType = UInt8(type)
        run.renderWritable()
        run.render()
        return 0
    }
}
