import BPFVM

/// The `bpf_skc_to_*` casts from a socket to a protocol's socket (net/core/filter.c). A cast
/// that succeeds gives the socket itself, read by the protocol struct's kernel layout
/// (`SocketCastImages`); which succeed, as Linux 6.18 answers for the sockets a lookup finds
/// (scripts/kernel/net_reqsk.tcx): tcp for any TCP socket, tcp6 for an IPv6 one, udp6 for an
/// IPv6 UDP socket; timewait and request never for a listener, unix and mptcp never here. The
/// socket a test-run makes for its caller is created with no protocol: every cast of it is
/// NULL, as in the kernel.
enum SocketCastHelpers {
    enum Cast {
        case tcp6, tcp, timewait, request, udp6, unix, mptcp
    }

    static let casts: [(Int32, String, Cast)] = [
        (136, "skc_to_tcp6_sock", .tcp6), (137, "skc_to_tcp_sock", .tcp), (138, "skc_to_tcp_timewait_sock", .timewait),
        (139, "skc_to_tcp_request_sock", .request), (140, "skc_to_udp6_sock", .udp6), (178, "skc_to_unix_sock", .unix),
        (196, "skc_to_mptcp_sock", .mptcp),
    ]

    static func register(_ table: inout HelperTable) {
        for (id, name, cast) in casts { table.register(id, name: name) { convert(&$0, cast) } }
    }

    static func convert(_ call: inout HelperCall, _ cast: Cast) -> UInt64 {
        let run = TCRun.from(call)
        guard let block = run.sockets.block(of: call.r1), let record = run.sockets.record(at: block) else { return 0 }
        let tcp = record.socket.protocolNumber == 6
        let v6 = record.socket.address.count == 16
        let succeeds: Bool
        switch cast {
        case .tcp: succeeds = tcp
        case .tcp6: succeeds = tcp && v6
        case .udp6: succeeds = !tcp && v6
        case .timewait, .request, .unix, .mptcp: succeeds = false
        }
        guard succeeds else { return 0 }
        return run.sockets.castImage(of: block)
    }
}

extension RunSockets {
    /// The `struct bpf_sock` block of the socket `address` shows: the block itself, its
    /// `struct bpf_tcp_sock` (bpf_tcp_sock's view) or an image a cast gave; nil for anything else.
    func block(of address: UInt64) -> UInt64? {
        guard address != 0 else { return nil }
        if record(at: address) != nil { return address }
        if let cast = castImages.first(where: { $0.value.address == address }) { return cast.key }
        return records.first { UInt64(UInt(bitPattern: $0.value.tcpBlock?.baseAddress)) == address }?.key
    }

    /// The image the casts of the socket whose block is `block` give (made once per run and
    /// socket); 0 when the target BTF cannot lay it out.
    func castImage(of block: UInt64) -> UInt64 {
        if let existing = castImages[block] { return existing.address }
        guard let record = record(at: block), let image = SocketCastImages.image(of: record) else { return 0 }
        castImages[block] = image
        grant(image.bytes)
        return image.address
    }
}
