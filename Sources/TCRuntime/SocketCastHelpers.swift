import BPFVM

/// The `bpf_skc_to_*` casts from a socket to a protocol's socket. The only socket an skb has
/// here is the one a test-run makes for its caller, which the kernel creates with no protocol:
/// every cast of it is NULL, as in the kernel.
enum SocketCastHelpers {
    static let casts: [(Int32, String)] = [
        (136, "skc_to_tcp6_sock"), (137, "skc_to_tcp_sock"), (138, "skc_to_tcp_timewait_sock"),
        (139, "skc_to_tcp_request_sock"), (140, "skc_to_udp6_sock"), (178, "skc_to_unix_sock"),
        (196, "skc_to_mptcp_sock"),
    ]

    static func register(_ table: inout HelperTable) {
        for (id, name) in casts { table.register(id, name: name) { _ in 0 } }
    }
}
