import BPFCore
import BPFVM

/// `bpf_sk_assign_tcp_reqsk(skb, sk, attrs, attrs__sz)` (net/core/filter.c), the custom SYN
/// cookie kfunc: at tc ingress, it makes a request socket of the listener `sk` from the
/// attributes a program decoded from its own cookie and gives it to the skb, so the ACK
/// reaches the listener as the third packet of a handshake. Its checks, in the kernel's order,
/// each EINVAL: `attrs__sz` is sizeof(struct bpf_tcp_req_attrs) (20) and the reserved bytes
/// are 0; the skb is at tc ingress (a test-run never is: measured, scripts/kernel/net_reqsk.tcx);
/// the packet is IPv4 or IPv6; the socket is a TCP listener; the MSS is at least 536 (IPv4) or
/// 1220 (IPv6); with window scaling, neither scale is above 14. The world's sysctls are the
/// defaults (window scaling, SACK and timestamps on), so no other check refuses.
enum RequestSockKfunc {
    /// sizeof(struct bpf_tcp_req_attrs) and where its fields are.
    static let attributesSize = 20
    static let mssOffset = 8, receiveScaleOffset = 10, sendScaleOffset = 11, scaleOKOffset = 13
    static let reservedRange = 16 ..< 19
    /// TCP_MAX_WSCALE.
    static let maxScale: UInt8 = 14

    static func register(_ table: inout KfuncTable) {
        table.register(.skAssignTCPReqsk, assign)
    }

    static func assign(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        guard Int32(truncatingIfNeeded: call.r4) == Int32(attributesSize) else { return failed(.EINVAL) }
        guard let attributes = call.memory(at: call.r3, count: attributesSize, write: false, "bpf_tcp_req_attrs") else {
            return 0
        }
        guard reservedRange.allSatisfy({ attributes[$0] == 0 }) else { return failed(.EINVAL) }
        guard run.isAtIngress else { return failed(.EINVAL) }
        let minimumMSS: UInt16
        switch run.skb.metadata.protocol {
        case 0x0800: minimumMSS = 536
        case 0x86dd: minimumMSS = 1220  // IPV6_MIN_MTU - 60
        default: return failed(.EINVAL)
        }
        guard let block = run.sockets.block(of: call.r2), let record = run.sockets.record(at: block) else {
            call.failure = "sk_assign_tcp_reqsk: r2 is not a socket this run looked up"
            return 0
        }
        // Every TCP socket of a world is a listener (`listen tcp`).
        guard record.socket.protocolNumber == 6 else { return failed(.EINVAL) }
        let mss = attributes.loadUnaligned(fromByteOffset: mssOffset, as: UInt16.self)
        guard mss >= minimumMSS else { return failed(.EINVAL) }
        if attributes[scaleOKOffset] != 0,
           attributes[receiveScaleOffset] > maxScale || attributes[sendScaleOffset] > maxScale {
            return failed(.EINVAL)
        }
        // The skb now carries a request socket of the listener, which the datapath does not
        // follow further here (as bpf_sk_assign's socket).
        return 0
    }
}
