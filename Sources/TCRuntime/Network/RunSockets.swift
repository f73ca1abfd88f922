/// The sockets one program run holds: each lookup hands out a fresh read-only
/// `struct bpf_sock` and a reference; the blocks live until the run ends, so a pointer the
/// program kept never reaches freed memory.
final class RunSockets {
    struct Record {
        let socket: NetSocket
        let block: UnsafeMutableRawBufferPointer
        var tcpBlock: UnsafeMutableRawBufferPointer?
        var held: Bool
    }

    private(set) var records: [UInt64: Record] = [:]
    /// The kernel-layout images the `bpf_skc_to_*` casts gave, by the `struct bpf_sock` block
    /// of the socket they show (SocketCastImages).
    var castImages: [UInt64: KernelStructImage] = [:]
    /// Called with each new block, so the run can grant the program read access to it.
    let grant: (UnsafeMutableRawBufferPointer) -> Void

    init(grant: @escaping (UnsafeMutableRawBufferPointer) -> Void) {
        self.grant = grant
    }

    deinit {
        for record in records.values {
            record.block.deallocate()
            record.tcpBlock?.deallocate()
        }
    }

    /// References the program still holds: the kernel verifier refuses a program that can
    /// exit with one.
    var held: Int { records.values.filter(\.held).count }

    func acquire(_ socket: NetSocket) -> UInt64 {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: SocketLayout.sockSize, alignment: 8)
        SocketLayout.renderSock(socket, into: block)
        grant(block)
        let address = UInt64(UInt(bitPattern: block.baseAddress))
        records[address] = Record(socket: socket, block: block, tcpBlock: nil, held: true)
        return address
    }

    func release(_ address: UInt64) -> Bool {
        guard records[address]?.held == true else { return false }
        records[address]?.held = false
        return true
    }

    func record(at address: UInt64) -> Record? { records[address] }

    /// The `struct bpf_tcp_sock` of a TCP socket this run looked up.
    func tcpView(of address: UInt64) -> UInt64 {
        guard let record = records[address] else { return 0 }
        if let existing = record.tcpBlock { return UInt64(UInt(bitPattern: existing.baseAddress)) }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: SocketLayout.tcpSockSize, alignment: 8)
        SocketLayout.renderListeningTCP(into: block)
        grant(block)
        records[address]?.tcpBlock = block
        return UInt64(UInt(bitPattern: block.baseAddress))
    }
}

/// `struct bpf_sock` and `struct bpf_tcp_sock` as a program reads them.
enum SocketLayout {
    static let sockSize = 80
    static let tcpSockSize = 112

    static func renderSock(_ socket: NetSocket, into block: UnsafeMutableRawBufferPointer) {
        block.initializeMemory(as: UInt8.self, repeating: 0)
        let v6 = socket.address.count == 16
        block.storeBytes(of: UInt32(v6 ? 10 : 2), toByteOffset: 4, as: UInt32.self)           // family
        block.storeBytes(of: UInt32(socket.protocolNumber == 6 ? 1 : 2), toByteOffset: 8, as: UInt32.self)  // type
        block.storeBytes(of: UInt32(socket.protocolNumber), toByteOffset: 12, as: UInt32.self)  // protocol
        let source = v6 ? 28 : 24                                                              // src_ip6 / src_ip4
        for (i, byte) in socket.address.enumerated() { block[source + i] = byte }
        if v6 {
            // An IPv6 socket's IPv4 receive address: the mapped address, none for a wildcard,
            // else LOOPBACK4_IPV6 (127.0.0.6), which inet6_bind puts there.
            let mapped = socket.address.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
            let wildcard = socket.address.allSatisfy { $0 == 0 }
            let ipv4: [UInt8] = mapped ? Array(socket.address.suffix(4)) : wildcard ? [0, 0, 0, 0] : [127, 0, 0, 6]
            for (i, byte) in ipv4.enumerated() { block[24 + i] = byte }
        }
        block.storeBytes(of: UInt32(socket.port), toByteOffset: 44, as: UInt32.self)           // src_port, host order
        // TCP_LISTEN for a listener, TCP_CLOSE for an unconnected UDP socket.
        block.storeBytes(of: UInt32(socket.protocolNumber == 6 ? 10 : 7), toByteOffset: 72, as: UInt32.self)
        block.storeBytes(of: Int32(-1), toByteOffset: 76, as: Int32.self)                    // rx_queue_mapping
    }

    /// A listener's TCP state: the initial window, no infinite threshold crossed, no traffic.
    static func renderListeningTCP(into block: UnsafeMutableRawBufferPointer) {
        block.initializeMemory(as: UInt8.self, repeating: 0)
        block.storeBytes(of: UInt32(10), toByteOffset: 0, as: UInt32.self)          // snd_cwnd (TCP_INIT_CWND)
        block.storeBytes(of: UInt32.max, toByteOffset: 8, as: UInt32.self)          // rtt_min (reset to ~0)
        block.storeBytes(of: UInt32(0x7fff_ffff), toByteOffset: 12, as: UInt32.self) // snd_ssthresh (infinite)
        block.storeBytes(of: UInt32(536), toByteOffset: 28, as: UInt32.self)        // mss_cache (TCP_MSS_DEFAULT)
    }
}

extension TCRun {
    /// Whether a lookup's reference is still held (without creating the table).
    var holdsSockets: Bool { (socketsIfMade?.held ?? 0) > 0 }
}
