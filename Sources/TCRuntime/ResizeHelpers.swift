import BPFCore
import BPFVM

/// bpf_skb_change_tail, bpf_skb_change_head (net/core/filter.c).
enum ResizeHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(38, name: "skb_change_tail", changeTail)
        table.register(43, name: "skb_change_head", changeHead)
    }

    /// The shortest length a resize may leave: up to the transport header when one is set,
    /// else up to the network header (Linux 6.18 __bpf_skb_min_len).
    static func minimumLength(_ skb: SKBuff) -> Int {
        if let transport = skb.buffer.transportOffset, transport > 0 { return transport }
        return max(0, skb.buffer.networkOffset)
    }

    static func changeTail(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            let newLength = UInt64(UInt32(truncatingIfNeeded: call.r2))
            defer { call.packet = call.packetChanged(run) }
            guard call.r3 == 0, newLength <= UInt64(SKBuff.maxLength), newLength >= UInt64(minimumLength(skb)) else {
                return failed(.EINVAL)
            }
            if skb.metadata.encapsulation { return failed(.ENOTSUPP) }
            let target = Int(newLength)
            if target > skb.length {
                skb.buffer.put(target - skb.length)
            } else {
                skb.buffer.trim(target)
            }
            return 0
        }
    }

    static func changeHead(_ call: inout HelperCall) -> UInt64 {
        TCRun.borrowWithSKB(&call) { call, run, skb in
            let room = UInt64(UInt32(truncatingIfNeeded: call.r2))
            let newLength = UInt64(skb.length) + room
            defer { call.packet = call.packetChanged(run) }
            guard call.r3 == 0, newLength <= UInt64(SKBuff.maxLength), newLength <= UInt64(UInt32.max) else {
                return failed(.EINVAL)
            }
            skb.buffer.push(Int(room))
            skb.buffer.zero(at: 0, count: Int(room))
            skb.buffer.macHeader = skb.buffer.head
            return 0
        }
    }
}
