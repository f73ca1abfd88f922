import BPFCore
import Glibc
import SystemPackage
import TCX

/// One rtnetlink request under construction: header, family header, attributes.
struct NetlinkMessage {
    private(set) var bytes: [UInt8]

    init(type: UInt16, flags: UInt16) {
        var header = KernelStruct(size: NetlinkABI.headerSize)
        header.set(NetlinkABI.headerType, UInt64(type))
        header.set(NetlinkABI.headerFlags, UInt64(flags))
        bytes = header.bytes
    }

    /// Appends a `struct ifinfomsg`.
    mutating func appendLinkHeader(index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) {
        var info = KernelStruct(size: NetlinkABI.ifinfoSize)
        info.set(NetlinkABI.ifinfoIndex, UInt32(bitPattern: index))
        info.set(NetlinkABI.ifinfoFlags, flags)
        info.set(NetlinkABI.ifinfoChange, change)
        bytes += info.bytes
    }

    /// Appends another family's fixed header (`struct tcmsg` for traffic control).
    mutating func appendFamilyHeader(_ header: KernelStruct) {
        bytes += header.bytes
    }

    mutating func appendAttribute(_ type: UInt16, _ payload: [UInt8]) {
        let length = NetlinkABI.attrHeaderSize + payload.count
        bytes += Self.native(UInt16(length)) + Self.native(type) + payload
        pad()
    }

    /// A zero-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND).
    mutating func appendAttribute(_ type: UInt16, string: String) {
        appendAttribute(type, Array(string.utf8) + [0])
    }

    mutating func appendAttribute(_ type: UInt16, u32 value: UInt32) {
        appendAttribute(type, Self.native(value))
    }

    /// A nested attribute whose payload `body` appends.
    mutating func appendNested(_ type: UInt16, _ body: (inout NetlinkMessage) -> Void) {
        let start = bytes.count
        bytes += [0, 0] + Self.native(type)
        body(&self)
        let length = UInt16(bytes.count - start)
        bytes.replaceSubrange(start..<start + 2, with: Self.native(length))
        pad()
    }

    /// The finished message with its length and sequence number filled in.
    func finished(sequence: UInt32) -> [UInt8] {
        var header = KernelStruct(size: NetlinkABI.headerSize)
        header.withUnsafeMutableBytes { raw in raw.copyBytes(from: bytes[0..<NetlinkABI.headerSize]) }
        header.set(NetlinkABI.headerLength, UInt32(bytes.count))
        header.set(NetlinkABI.headerSequence, sequence)
        return header.bytes + bytes[NetlinkABI.headerSize...]
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    static func native<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
}

/// Attributes of a received message, by type (the last of a repeated type wins).
struct NetlinkAttributes {
    private var payloads: [UInt16: ArraySlice<UInt8>] = [:]

    init(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset + NetlinkABI.attrHeaderSize <= bytes.endIndex {
            let length = Int(Self.read(UInt16.self, bytes, offset))
            let type = Self.read(UInt16.self, bytes, offset + 2) & NetlinkABI.attrTypeMask
            guard length >= NetlinkABI.attrHeaderSize, offset + length <= bytes.endIndex else { break }
            payloads[type] = bytes[(offset + NetlinkABI.attrHeaderSize)..<(offset + length)]
            offset += (length + 3) & ~3
        }
    }

    func nested(_ type: UInt16) -> NetlinkAttributes? { payloads[type].map(NetlinkAttributes.init) }

    func string(_ type: UInt16) -> String? {
        payloads[type].map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    func u32(_ type: UInt16) -> UInt32? {
        guard let payload = payloads[type], payload.count >= 4 else { return nil }
        return Self.read(UInt32.self, payload, payload.startIndex)
    }

    func u8(_ type: UInt16) -> UInt8? { payloads[type]?.first }

    static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: ArraySlice<UInt8>, _ offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { raw in
            raw.copyBytes(from: bytes[offset..<offset + MemoryLayout<T>.size])
        }
        return value
    }
}

/// A NETLINK_ROUTE socket. It belongs to the network namespace of the thread that opened it.
final class RouteNetlink {
    private let socket: FileDescriptor
    private var sequence: UInt32 = 0
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init() throws(TCXError) {
        let fd = Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                              NetlinkABI.protocolRoute)
        guard fd >= 0 else { throw TCXError(LinuxErrno(rawValue: errno), "socket(AF_NETLINK) failed") }
        socket = FileDescriptor(rawValue: fd)
        // Ask for the kernel's error text, so a refusal says why, and for acks that echo only
        // the request's header, so that text sits at a known offset.
        var on: Int32 = 1
        for option in [NetlinkABI.optExtendedAck, NetlinkABI.optCapAck] {
            _ = setsockopt(fd, NetlinkABI.solNetlink, option, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit { try? socket.close() }

    /// Sends a request that wants only an acknowledgement.
    func perform(_ message: NetlinkMessage, _ what: String) throws(TCXError) {
        _ = try exchange(message, what)
    }

    /// Sends a dump request and returns every answer message's body (after the nlmsghdr).
    func dump(_ message: NetlinkMessage, _ what: String) throws(TCXError) -> [ArraySlice<UInt8>] {
        try exchange(message, what)
    }

    /// Sends `message` and reads until its acknowledgement, error or end of dump.
    private func exchange(_ message: NetlinkMessage, _ what: String) throws(TCXError) -> [ArraySlice<UInt8>] {
        sequence &+= 1
        let request = message.finished(sequence: sequence)
        let sent = request.withUnsafeBytes { Glibc.send(socket.rawValue, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { throw TCXError(LinuxErrno(rawValue: errno), "\(what): send failed") }
        var bodies: [ArraySlice<UInt8>] = []
        while true {
            let received = buffer.withUnsafeMutableBytes { Glibc.recv(socket.rawValue, $0.baseAddress, $0.count, 0) }
            if received < 0 {
                if errno == EINTR { continue }
                throw TCXError(LinuxErrno(rawValue: errno), "\(what): recv failed")
            }
            let datagram = Array(buffer[0..<received])
            var offset = 0
            while offset + NetlinkABI.headerSize <= datagram.count {
                let header = datagram[offset..<offset + NetlinkABI.headerSize]
                let length = Int(NetlinkAttributes.read(UInt32.self, header, offset))
                let type = NetlinkAttributes.read(UInt16.self, header, offset + 4)
                let flags = NetlinkAttributes.read(UInt16.self, header, offset + 6)
                let seq = NetlinkAttributes.read(UInt32.self, header, offset + 8)
                guard length >= NetlinkABI.headerSize, offset + length <= datagram.count else { break }
                let message = datagram[offset..<offset + length]
                offset += (length + 3) & ~3
                guard seq == sequence else { continue }
                switch type {
                case NetlinkABI.msgError:
                    let code = -Int32(bitPattern: NetlinkAttributes.read(UInt32.self, message, message.startIndex + 16))
                    if code == 0 { return bodies }
                    throw TCXError(LinuxErrno(rawValue: code), "\(what): \(Self.reason(message, flags, code))")
                case NetlinkABI.msgDone:
                    return bodies
                case NetlinkABI.msgNoop:
                    continue
                default:
                    bodies.append(message[(message.startIndex + NetlinkABI.headerSize)...])
                    if flags & NetlinkABI.flagMulti == 0 { return bodies }
                }
            }
        }
    }

    /// The kernel's extended-ack message if it sent one, else strerror.
    private static func reason(_ message: ArraySlice<UInt8>, _ flags: UInt16, _ code: Int32) -> String {
        let denied = code == LinuxErrno.EPERM.rawValue ? ProcessCapabilities.hintForPermissionDenied() : nil
        let fallback = BPFSyscall.describe(LinuxErrno(rawValue: code)) + (denied.map { " (\($0))" } ?? "")
        guard flags & NetlinkABI.flagAckTLVs != 0 else { return fallback }
        // header, nlmsgerr (errno + the request's header, capped), then the attributes.
        let tlvStart = message.startIndex + NetlinkABI.headerSize + 4 + NetlinkABI.headerSize
        guard tlvStart <= message.endIndex else { return fallback }
        let text = NetlinkAttributes(message[tlvStart...]).string(NetlinkABI.errorAttrMessage)
        return text.map { "\($0) (\(fallback))" } ?? fallback
    }
}
