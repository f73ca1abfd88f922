import BPFCore
import BPFObject

/// What the `bpf_skc_to_*` casts give for a socket a lookup found: in the kernel every cast
/// that succeeds returns the socket itself, typed as the protocol's struct, so a program reads
/// its fields by the kernel's layout. Here a socket gets one read-only image laid out as
/// `tcp6_sock` (TCP) or `udp6_sock` (UDP) by the target BTF, the largest struct a cast of it
/// can be read as, with what the kernel shows of a listening TCP socket or a bound UDP one
/// (measured: scripts/kernel/net_reqsk.tcx). Members the world does not model read as 0.
enum SocketCastImages {
    /// The members an image fills, by their paths in `tcp6_sock` (TCP) and `udp6_sock` (UDP).
    enum Member: Int, CaseIterable {
        case family, state, localPort, receiveIPv4, receiveIPv6, type, `protocol`, maxAckBacklog
        case sendCongestionWindow, mssCache, slowStartThreshold

        /// Below `struct sock`: the path from the image's start to the socket.
        func path(tcp: Bool) -> String? {
            let sock = tcp ? "tcp.inet_conn.icsk_inet.sk." : "udp.inet.sk."
            switch self {
            case .family: return sock + "__sk_common.skc_family"
            case .state: return sock + "__sk_common.skc_state"
            case .localPort: return sock + "__sk_common.skc_num"
            case .receiveIPv4: return sock + "__sk_common.skc_rcv_saddr"
            case .receiveIPv6: return sock + "__sk_common.skc_v6_rcv_saddr"
            case .type: return sock + "sk_type"
            case .protocol: return sock + "sk_protocol"
            case .maxAckBacklog: return sock + "sk_max_ack_backlog"
            case .sendCongestionWindow: return tcp ? "tcp.snd_cwnd" : nil
            case .mssCache: return tcp ? "tcp.mss_cache" : nil
            case .slowStartThreshold: return tcp ? "tcp.snd_ssthresh" : nil
            }
        }
    }

    /// The backlog every world's `listen` passes (the kernel backend's listen(fd, 16)).
    static let listenBacklog: UInt64 = 16

    static let tcpLayout: KernelStructLayout? = layout(tcp: true)
    static let udpLayout: KernelStructLayout? = layout(tcp: false)

    private static func layout(tcp: Bool) -> KernelStructLayout? {
        KernelTypeTarget.load().flatMap { types in
            KernelStructLayout(types, structure: tcp ? "tcp6_sock" : "udp6_sock",
                               members: Member.allCases.map { $0.path(tcp: tcp) ?? "" })
        }
    }

    /// A fresh image of `record`'s socket; nil when the target BTF lacks the struct.
    static func image(of record: RunSockets.Record) -> KernelStructImage? {
        let socket = record.socket
        let tcp = socket.protocolNumber == 6
        guard let layout = tcp ? tcpLayout : udpLayout else { return nil }
        let image = KernelStructImage(layout: layout)
        func set(_ member: Member, _ value: UInt64) { image.set(member.rawValue, value) }
        let block = record.block
        set(.family, UInt64(block.load(fromByteOffset: 4, as: UInt32.self)))
        // TCP_LISTEN for a listener, TCP_CLOSE for an unconnected UDP socket.
        set(.state, tcp ? 10 : 7)
        set(.localPort, UInt64(socket.port))
        image.set(Member.receiveIPv4.rawValue, bytes: Array(block[24..<28]))
        image.set(Member.receiveIPv6.rawValue, bytes: Array(block[28..<44]))
        set(.type, tcp ? 1 : 2)
        set(.protocol, UInt64(socket.protocolNumber))
        if tcp {
            set(.maxAckBacklog, listenBacklog)
            // A listener's TCP state: TCP_INIT_CWND, TCP_MSS_DEFAULT, an infinite threshold.
            set(.sendCongestionWindow, 10)
            set(.mssCache, 536)
            set(.slowStartThreshold, 0x7fff_ffff)
        }
        return image
    }
}
