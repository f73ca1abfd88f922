import BPFCore
import BPFVM

/// The socket lookups of a tc program (net/core/filter.c): bpf_sk_lookup_tcp/udp and
/// bpf_skc_lookup_tcp find a socket of the world (`listen`), hand the program a read-only
/// `struct bpf_sock` and a reference it must give back with bpf_sk_release; bpf_sk_fullsock,
/// bpf_tcp_sock and bpf_get_listener_sock narrow a socket pointer; bpf_sk_assign steers the
/// skb to one.
enum SocketHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(84, name: "sk_lookup_tcp") { lookup(&$0, protocolNumber: 6) }
        table.register(85, name: "sk_lookup_udp") { lookup(&$0, protocolNumber: 17) }
        table.register(99, name: "skc_lookup_tcp") { lookup(&$0, protocolNumber: 6) }
        table.register(86, name: "sk_release", release)
        table.register(95, name: "sk_fullsock", fullSock)
        table.register(96, name: "tcp_sock", tcpSock)
        table.register(98, name: "get_listener_sock", listenerSock)
        table.register(124, name: "sk_assign", assign)
    }

    /// sizeof(struct bpf_sock_tuple.ipv4) and .ipv6.
    static let tupleIPv4 = 12, tupleIPv6 = 36

    static func lookup(_ call: inout HelperCall, protocolNumber: UInt8) -> UInt64 {
        let run = TCRun.from(call)
        let length = Int(UInt32(truncatingIfNeeded: call.r3))
        guard length == tupleIPv4 || length == tupleIPv6 else { return 0 }
        guard let tuple = call.memory(at: call.r2, count: length, write: false, "socket tuple") else { return 0 }
        let netns = call.r4, flags = call.r5
        // Flags must be 0; the namespace is the caller's (any negative 32-bit id) or an id
        // this world never assigned.
        guard flags == 0, Int32(truncatingIfNeeded: netns) < 0 else { return 0 }
        guard netns <= UInt64(UInt32.max) || Int64(bitPattern: netns) >= Int64(Int32.min) else { return 0 }
        let width = length == tupleIPv4 ? 4 : 16
        let remote = Array(tuple[0..<width])
        let local = Array(tuple[width..<2 * width])
        let localPort = UInt16(tuple[2 * width + 2]) << 8 | UInt16(tuple[2 * width + 3])
        _ = remote
        let net = run.services.network.snapshot
        guard let socket = SocketTable.find(net.sockets, protocolNumber: protocolNumber, local: local, port: localPort) else {
            return 0
        }
        return run.sockets.acquire(socket)
    }

    static func release(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        guard run.sockets.release(call.r1) else {
            call.failure = "sk_release of a pointer that holds no socket reference (the verifier refuses it)"
            return 0
        }
        return 0
    }

    /// Listening and UDP sockets, and the test-run's own socket, are full sockets.
    static func fullSock(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        return run.sockets.record(at: call.r1) != nil || run.isContextSocket(call.r1) ? call.r1 : 0
    }

    static func tcpSock(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        guard let record = run.sockets.record(at: call.r1), record.socket.protocolNumber == 6 else { return 0 }
        return run.sockets.tcpView(of: call.r1)
    }

    static func listenerSock(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        guard let record = run.sockets.record(at: call.r1), record.socket.protocolNumber == 6 else { return 0 }
        return call.r1
    }

    static func assign(_ call: inout HelperCall) -> UInt64 {
        let run = TCRun.from(call)
        guard call.r2 != 0, call.r3 == 0 else { return failed(.EINVAL) }
        // Only tc ingress may steer an skb to a socket; a test-run is not at ingress.
        guard run.isAtIngress else { return failed(.EOPNOTSUPP) }
        // A lookup's socket, or a cast of it (the same socket in the kernel).
        guard run.sockets.block(of: call.r2) != nil else { return failed(.EINVAL) }
        return 0
    }
}

/// How the kernel picks a bound socket for a destination: an exact local address beats a
/// wildcard one; an IPv6 wildcard socket also takes IPv4 (dual stack).
enum SocketTable {
    static func find(_ sockets: [NetSocket], protocolNumber: UInt8, local: [UInt8], port: UInt16) -> NetSocket? {
        let candidates = sockets.filter { $0.protocolNumber == protocolNumber && $0.port == port }
        if let exact = candidates.first(where: { $0.address == local }) { return exact }
        let anyV4 = [UInt8](repeating: 0, count: 4), anyV6 = [UInt8](repeating: 0, count: 16)
        if local.count == 4, let wildcard = candidates.first(where: { $0.address == anyV4 }) { return wildcard }
        if local.count == 4, let mapped = candidates.first(where: { $0.address == Array(repeating: 0, count: 10) + [0xff, 0xff] + local }) {
            return mapped
        }
        return candidates.first { $0.address == anyV6 }
    }
}
