import BPFVM

/// bpf_skb_ecn_set_ce: marks Congestion Experienced in the IPv4 or IPv6 header at the network
/// header, when the packet is ECN-capable. Returns 1 when the packet now carries CE, else 0.
enum ECNHelper {
    static func setCE(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        let marked = setCE(run.skb)
        return marked ? 1 : 0
    }

    /// The protocol with VLAN tags skipped (the kernel's `skb_protocol(skb, true)`): tags are
    /// read after the Ethernet header; a truncated tag gives no protocol.
    static func innerProtocol(_ skb: SKBuff) -> UInt16 {
        var type = skb.metadata.protocol
        var depth = 14
        let data = skb.buffer.data
        while type == 0x8100 || type == 0x88a8 {
            guard depth + 4 <= data.count else { return 0 }
            type = UInt16(data[depth + 2]) << 8 | UInt16(data[depth + 3])
            depth += 4
        }
        return type
    }

    static func setCE(_ skb: SKBuff) -> Bool {
        let data = skb.buffer.data
        let l3 = skb.buffer.networkOffset
        switch innerProtocol(skb) {
        case 0x0800:
            guard l3 >= 0, l3 + 20 <= data.count else { return false }
            let ecn = (data[l3 + 1] &+ 1) & 3
            // After the +1: not-ECT 01, ECT(1) 10, ECT(0) 11, CE 00.
            guard ecn & 2 != 0 else { return ecn == 0 }
            // The checksum changes by the difference in the TOS byte, in the header's own order.
            let stored = UInt16(data[l3 + 10]) | UInt16(data[l3 + 11]) << 8
            let addend = UInt16(0xFFFB).byteSwapped &+ UInt16(ecn).byteSwapped
            var sum = stored &+ addend
            if sum < addend { sum &+= 1 }
            data[l3 + 10] = UInt8(sum & 0xff)
            data[l3 + 11] = UInt8(sum >> 8)
            data[l3 + 1] |= 3
            return true
        case 0x86dd:
            guard l3 >= 0, l3 + 40 <= data.count else { return false }
            let traffic = (data[l3] & 0x0f) << 4 | data[l3 + 1] >> 4
            guard traffic & 3 != 0 else { return false }
            data[l3 + 1] |= 0x30
            return true
        default:
            return false
        }
    }
}
