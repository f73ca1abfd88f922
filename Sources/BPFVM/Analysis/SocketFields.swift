/// Which loads a program may make through a socket pointer, as Linux 6.18's
/// `bpf_sock_is_valid_access`, `bpf_sock_common_is_valid_access` and
/// `bpf_tcp_sock_is_valid_access` allow them (stores are refused outright).
enum SocketFields {
    // struct bpf_sock
    static let type = 8, priorityEnd = 24, srcIP4 = 24, srcIP6End = 44, srcPort = 44, dstPort = 48
    static let dstIP4 = 52, dstIP6End = 72, state = 72, rxQueueMapping = 76, sockSize = 80
    // struct bpf_tcp_sock
    static let bytesReceived = 80, bytesAcked = 88, tcpSockSize = 112

    static func allows(_ kind: SocketKind, offset: Int, size: Int) -> Bool {
        switch kind {
        case .tcp:
            guard offset >= 0, offset < tcpSockSize, offset % size == 0 else { return false }
            return offset == bytesReceived || offset == bytesAcked ? size == 8 : size == 4
        case .common:
            // type, protocol, mark and priority belong to full sockets only.
            if (type ..< priorityEnd).contains(offset) { return false }
            return sock(offset: offset, size: size)
        case .full:
            return sock(offset: offset, size: size)
        }
    }

    private static func sock(offset: Int, size: Int) -> Bool {
        guard offset >= 0, offset < sockSize, offset % size == 0 else { return false }
        switch offset {
        case 4, 8, 12, srcPort, state, rxQueueMapping, srcIP4 ..< srcIP4 + 4, srcIP4 + 4 ..< srcIP6End,
             dstIP4 ..< dstIP4 + 4, dstIP4 + 4 ..< dstIP6End:
            // Narrow loads of these words are allowed.
            return size <= 4
        case dstPort ..< dstPort + 4:
            return size == 4 || (size <= 2 && offset + size <= dstPort + 2)
        default:
            return size == 4
        }
    }
}
