import BPFCore
import BPFVM

/// bpf_skb_set_tunnel_key / get_tunnel_key / set_tunnel_opt / get_tunnel_opt: the tunnel
/// metadata an skb carries to a collect-metadata tunnel device.
///
/// The kernel stores what `set` receives as a transmit key (remote address as the tunnel's
/// destination, local as its source) and `get` reads a received key (remote from the source),
/// so a program that sets and then gets the key in one run sees the two addresses swapped.
enum TunnelHelpers {
    static let flagIPv6: UInt64 = 1 << 0
    static let flagZeroChecksum: UInt64 = 1 << 1
    static let flagDontFragment: UInt64 = 1 << 2
    static let flagSequence: UInt64 = 1 << 3
    static let flagNoKey: UInt64 = 1 << 4
    /// BPF_F_TUNINFO_FLAGS: `get` fills `tunnel_flags` instead of zeroing `tunnel_ext`.
    static let flagReportFlags: UInt64 = 1 << 4
    /// sizeof(struct bpf_tunnel_key), and the shorter layouts older programs pass.
    static let keySize = 44
    static let compatSizes: Set<Int> = [28, 24, 22]
    /// offsetof(struct bpf_tunnel_key, remote_ipv6[1]): the IPv4-only layout.
    static let ipv4OnlySize = 8
    /// IP_TUNNEL_OPTS_MAX.
    static let maxOptions = 255
    static let EPROTO = LinuxErrno(rawValue: 71)

    static func register(_ table: inout HelperTable) {
        table.register(20, name: "skb_get_tunnel_key", getKey)
        table.register(21, name: "skb_set_tunnel_key", setKey)
        table.register(29, name: "skb_get_tunnel_opt", getOptions)
        table.register(30, name: "skb_set_tunnel_opt", setOptions)
    }

    // MARK: Key

    static func setKey(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r3))
        let flags = call.r4
        guard let from = call.memory(at: call.r2, count: size, write: false, "tunnel key") else { return 0 }
        let known = flagIPv6 | flagZeroChecksum | flagDontFragment | flagSequence | flagNoKey
        guard flags & ~known == 0 else { return failed(.EINVAL) }
        guard size == keySize || compatSizes.contains(size) || size == ipv4OnlySize else { return failed(.EINVAL) }
        // Shorter layouts read as the full one with the missing tail zero.
        var key = [UInt8](repeating: 0, count: keySize)
        for i in 0..<size { key[i] = from[i] }
        let ipv6 = flags & flagIPv6 != 0
        let label = load32(key, 24), ext = UInt16(key[22]) | UInt16(key[23]) << 8
        guard (ipv6 || label == 0) && ext == 0 else { return failed(.EINVAL) }

        var info = TunnelInfo()
        info.ipv6 = ipv6
        info.flags = TunnelInfo.noCache
        if flags & flagDontFragment != 0 { info.flags |= TunnelInfo.dontFragment }
        if flags & flagZeroChecksum == 0 { info.flags |= TunnelInfo.checksum }
        if flags & flagSequence != 0 { info.flags |= TunnelInfo.sequence }
        if flags & flagNoKey == 0 { info.flags |= TunnelInfo.key }
        info.id = UInt64(load32(key, 0))
        info.tos = key[20]
        info.ttl = key[21]
        if ipv6 {
            info.destination = Array(key[4..<20])
            info.source = Array(key[28..<44])
            info.label = label & 0xfffff
        } else {
            info.destination = bigEndianBytes(load32(key, 4))
            info.source = bigEndianBytes(load32(key, 28))
        }
        let run = TCRun.from(call)
        run.skb.metadata.tunnel = info
        return 0
    }

    static func getKey(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r3))
        let flags = call.r4
        guard let to = call.memory(at: call.r2, count: size, write: true, "tunnel key") else { return 0 }
        let result = readKey(TCRun.from(call).skb.metadata.tunnel, size: size, flags: flags)
        switch result {
        case let .success(key):
            for i in 0..<size { to[i] = key[i] }
            return 0
        case let .failure(error):
            to.initializeMemory(as: UInt8.self, repeating: 0)
            return failed(error.errno)
        }
    }

    struct Failure: Error { let errno: LinuxErrno }

    /// The `struct bpf_tunnel_key` bytes `get` writes (the full 44; the caller copies `size`).
    static func readKey(_ tunnel: TunnelInfo?, size: Int, flags: UInt64) -> Result<[UInt8], Failure> {
        guard let info = tunnel, flags & ~(flagIPv6 | flagReportFlags) == 0 else { return .failure(Failure(errno: .EINVAL)) }
        guard info.ipv6 == (flags & flagIPv6 != 0) else { return .failure(Failure(errno: EPROTO)) }
        if size != keySize {
            guard compatSizes.contains(size) || (size == ipv4OnlySize && !info.ipv6) else {
                return .failure(Failure(errno: .EINVAL))
            }
        }
        var key = [UInt8](repeating: 0, count: keySize)
        store32(&key, 0, UInt32(truncatingIfNeeded: info.id))
        key[20] = info.tos
        key[21] = info.ttl
        if flags & flagReportFlags != 0 {
            key[22] = UInt8(info.flags >> 8)
            key[23] = UInt8(info.flags & 0xff)
        }
        if info.ipv6 {
            for i in 0..<16 {
                key[4 + i] = info.source.count == 16 ? info.source[i] : 0
                key[28 + i] = info.destination.count == 16 ? info.destination[i] : 0
            }
            store32(&key, 24, info.label)
        } else {
            store32(&key, 4, hostOrder(info.source))
            store32(&key, 28, hostOrder(info.destination))
        }
        return .success(key)
    }

    // MARK: Options

    static func setOptions(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r3))
        guard let from = call.memory(at: call.r2, count: size, write: false, "tunnel options") else { return 0 }
        let run = TCRun.from(call)
        guard var info = run.skb.metadata.tunnel, size % 4 == 0 else { return failed(.EINVAL) }
        guard size <= maxOptions else { return failed(.ENOMEM) }
        info.options = Array(from)
        if size > 0 { info.flags |= TunnelInfo.optionsPresent }
        run.skb.metadata.tunnel = info
        return 0
    }

    static func getOptions(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r3))
        guard let to = call.memory(at: call.r2, count: size, write: true, "tunnel options") else { return 0 }
        to.initializeMemory(as: UInt8.self, repeating: 0)
        guard let info = TCRun.from(call).skb.metadata.tunnel, info.flags & TunnelInfo.optionsPresent != 0 else {
            return failed(.ENOENT)
        }
        guard size >= info.options.count else { return failed(.ENOMEM) }
        for (i, byte) in info.options.enumerated() { to[i] = byte }
        return UInt64(info.options.count)
    }

    // MARK: Bytes

    static func load32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    static func store32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    static func bigEndianBytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func hostOrder(_ bytes: [UInt8]) -> UInt32 {
        guard bytes.count >= 4 else { return 0 }
        return UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    }
}
