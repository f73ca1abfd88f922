import BPFCore
import BPFVM

/// bpf_tcp_check_syncookie and bpf_tcp_gen_syncookie against the world's listeners. A world's
/// listener never sees a SYN flood, so its accept queue is never full nor recently overflowed:
/// the kernel then neither issues (tcp_syncookies 1) nor checks cookies, and answers ENOENT
/// once the arguments pass its checks.
enum SyncookieHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(100, name: "tcp_check_syncookie") { syncookie(&$0, generate: false) }
        table.register(110, name: "tcp_gen_syncookie") { syncookie(&$0, generate: true) }
    }

    static let tcpHeader = 20, ipv4Header = 20, ipv6Header = 40

    static func syncookie(_ call: inout HelperCall, generate: Bool) -> UInt64 {
        let run = TCRun.from(call)
        let ipLength = Int(UInt32(truncatingIfNeeded: call.r3))
        let tcpLength = Int(UInt32(truncatingIfNeeded: call.r5))
        guard let ip = call.memory(at: call.r2, count: ipLength, write: false, "syncookie IP header"),
              let tcp = call.memory(at: call.r4, count: tcpLength, write: false, "syncookie TCP header") else { return 0 }
        guard call.r1 != 0, tcpLength >= tcpHeader else { return failed(.EINVAL) }
        let offset = Int(tcp[12] >> 4) * 4
        if generate && tcpLength != offset { return failed(.EINVAL) }
        guard let socket = run.sockets.record(at: call.r1)?.socket, socket.protocolNumber == 6 else {
            return failed(.EINVAL)  // not a TCP listener
        }
        let flags = tcp[13]
        let fin = flags & 0x01 != 0, syn = flags & 0x02 != 0, rst = flags & 0x04 != 0, ack = flags & 0x10 != 0
        if generate {
            guard syn && !ack && !fin && !rst else { return failed(.EINVAL) }
            guard ipLength >= ipv4Header else { return failed(.EINVAL) }
            switch ip[0] >> 4 {
            case 4: break
            case 6:
                guard ipLength >= ipv6Header, socket.address.count == 16 else { return failed(.EINVAL) }
            default: return failed(LinuxErrno(rawValue: 93))  // EPROTONOSUPPORT
            }
            return failed(.ENOENT)  // no queue pressure: no cookie (mss 0)
        }
        guard ack && !rst && !syn else { return failed(.ENOENT) }
        guard ipLength >= ipv4Header else { return failed(.EINVAL) }
        return failed(.ENOENT)  // no recent overflow: no cookie can be valid
    }
}
