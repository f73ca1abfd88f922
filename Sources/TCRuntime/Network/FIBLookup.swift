/// `struct bpf_fib_lookup` (64 bytes) and the lookup `bpf_fib_lookup` does with it, as Linux
/// 6.18 does it against the world's devices, addresses, routes and neighbours.
public struct FIBParams: Hashable, Sendable {
    public static let size = 64

    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = Array(bytes.prefix(Self.size)) + Array(repeating: 0, count: max(0, Self.size - bytes.count)) }

    // Field offsets.
    static let family = 0, l4Protocol = 1, totLen = 6, ifindex = 8, tos = 12, source = 16,
               destination = 32, tbid = 48, mark = 52, smac = 52, dmac = 58

    func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
    func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) } }
    mutating func set16(_ offset: Int, _ value: UInt16) {
        bytes[offset] = UInt8(truncatingIfNeeded: value)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }
    mutating func set32(_ offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
    mutating func setBytes(_ offset: Int, _ value: [UInt8]) {
        for (i, byte) in value.enumerated() { bytes[offset + i] = byte }
    }
}

/// BPF_FIB_LOOKUP_* flags and BPF_FIB_LKUP_RET_* codes.
public enum FIB {
    public static let direct: UInt64 = 1, output: UInt64 = 2, skipNeigh: UInt64 = 4, tbid: UInt64 = 8,
                      source: UInt64 = 16, mark: UInt64 = 32
    public static let allFlags: UInt64 = 63

    public enum Result: Int64, Sendable {
        case success = 0, blackhole, unreachable, prohibit, notForwarded, forwardingDisabled,
             unsupportedLWT, noNeighbour, fragmentationNeeded, noSourceAddress
    }

    static let afInet: UInt8 = 2, afInet6: UInt8 = 10

    /// The lookup proper. Returns the code (or a negative errno, as -ENODEV) and the MTU it
    /// checked against, nil when `tot_len` was 0 (the caller then checks the skb itself).
    static func lookup(_ params: inout FIBParams, flags: UInt64, in net: NetworkSnapshot) -> Int64 {
        let checkMTU = params.u16(FIBParams.totLen) != 0
        switch params.bytes[FIBParams.family] {
        case afInet: return lookup(&params, flags: flags, v6: false, checkMTU: checkMTU, net)
        case afInet6: return lookup(&params, flags: flags, v6: true, checkMTU: checkMTU, net)
        default: return -97  // EAFNOSUPPORT
        }
    }

    private static func lookup(_ params: inout FIBParams, flags: UInt64, v6: Bool, checkMTU: Bool,
                               _ net: NetworkSnapshot) -> Int64 {
        let width = v6 ? 16 : 4
        let destination = Array(params.bytes[FIBParams.destination..<FIBParams.destination + width])
        let source = Array(params.bytes[FIBParams.source..<FIBParams.source + width])
        // Link-local and other strict IPv6 addresses are never forwarded.
        if v6 && (needsStrictScope(destination) || needsStrictScope(source)) { return Result.notForwarded.rawValue }
        let ifindex = params.u32(FIBParams.ifindex)
        guard let input = net.device(ifindex) else { return -19 }  // ENODEV
        // A device without the protocol (its MTU took it away) has no forwarding setting.
        if !(v6 ? net.forwardsIPv6 && input.hasIPv6 : net.forwardsIPv4 && input.hasIPv4) {
            return Result.forwardingDisabled.rawValue
        }

        var tables: [UInt32] = [NetRoute.localTable, NetRoute.mainTable]
        if flags & direct != 0 {
            var table = NetRoute.mainTable
            if flags & tbid != 0 {
                table = params.u32(FIBParams.tbid)
                params.set32(FIBParams.tbid, 0)
            }
            // Table 0 means the main one. IPv4's main and local tables are one trie until a rule
            // is added, so a direct lookup in either sees both; IPv6 keeps them apart. Other
            // tables do not exist in a fresh namespace.
            if table == 0 { table = NetRoute.mainTable }
            guard table == NetRoute.mainTable || table == NetRoute.localTable else {
                return Result.notForwarded.rawValue
            }
            if v6 { tables = [table] }
        }
        // IPv4 output lookups only take routes through the given device.
        let requiredDevice: UInt32? = (!v6 && flags & output != 0) ? ifindex : nil
        guard let route = bestRoute(destination, tables: tables, device: requiredDevice, v6: v6, net) else {
            return Result.notForwarded.rawValue
        }
        switch route.type {
        case .unicast: break
        case .blackhole: return Result.blackhole.rawValue
        case .unreachable: return Result.unreachable.rawValue
        case .prohibit: return Result.prohibit.rawValue
        default: return Result.notForwarded.rawValue
        }
        guard let device = net.device(route.ifindex) else { return Result.notForwarded.rawValue }
        var mtu: UInt32 = 0
        if checkMTU {
            mtu = device.mtu
            if UInt32(params.u16(FIBParams.totLen)) > mtu {
                params.set16(FIBParams.totLen, UInt16(truncatingIfNeeded: mtu))
                return Result.fragmentationNeeded.rawValue
            }
        }
        params.set32(FIBParams.tos, route.metric)
        params.set32(FIBParams.ifindex, device.ifindex)
        var nextHop = destination
        if v6 {
            if let gateway = route.gateway {
                nextHop = gateway
                params.setBytes(FIBParams.destination, gateway)
            }
            if flags & FIB.source != 0 {
                guard let chosen = preferredSource(route, device: device, toward: destination, v6: true, net) else {
                    return Result.noSourceAddress.rawValue
                }
                params.setBytes(FIBParams.source, chosen)
            }
        } else {
            if flags & FIB.source != 0 {
                let chosen = preferredSource(route, device: device, toward: route.gateway ?? [], v6: false, net) ?? [0, 0, 0, 0]
                params.setBytes(FIBParams.source, chosen)
                if chosen == [0, 0, 0, 0] { return Result.noSourceAddress.rawValue }
            }
            if let gateway = route.gateway {
                nextHop = gateway
                params.setBytes(FIBParams.destination, gateway)
            }
        }
        if flags & skipNeigh == 0 {
            let key = device.isLoopback && !v6 ? [0, 0, 0, 0] : nextHop
            guard let neighbour = net.neighbour(device.ifindex, key) else { return Result.noNeighbour.rawValue }
            params.setBytes(FIBParams.dmac, neighbour.mac)
            params.setBytes(FIBParams.smac, device.mac)
        }
        // bpf_fib_set_fwd_params: no VLAN on the way out; the MTU where one was checked.
        params.set32(FIBParams.tbid, 0)
        if mtu != 0 { params.set16(FIBParams.totLen, UInt16(truncatingIfNeeded: mtu)) }
        return Result.success.rawValue
    }

    /// Longest prefix first, then the lowest metric, over the given tables.
    static func bestRoute(_ destination: [UInt8], tables: [UInt32], device: UInt32?, v6: Bool,
                          _ net: NetworkSnapshot) -> NetRoute? {
        let candidates = net.routes.filter {
            tables.contains($0.table) && $0.destination.count == destination.count && $0.matches(destination)
                && (device == nil || $0.ifindex == device)
        }
        if v6 {
            // IPv6 looks in the local table first, the main table afterwards.
            for table in tables {
                if let best = candidates.filter({ $0.table == table }).min(by: better) { return best }
            }
            return nil
        }
        return candidates.min(by: better)
    }

    private static func better(_ a: NetRoute, _ b: NetRoute) -> Bool {
        a.prefixLength != b.prefixLength ? a.prefixLength > b.prefixLength : a.metric < b.metric
    }

    /// The source address the kernel would pick for traffic leaving through `route`.
    static func preferredSource(_ route: NetRoute, device: NetDevice, toward target: [UInt8], v6: Bool,
                                _ net: NetworkSnapshot) -> [UInt8]? {
        if let preferred = route.preferredSource { return preferred }
        let width = v6 ? 16 : 4
        let usable = net.addresses.filter { $0.address.count == width && !(v6 && needsStrictScope($0.address)) }
        let onDevice = usable.filter { $0.ifindex == device.ifindex }
        if !target.isEmpty, let sameSubnet = onDevice.first(where: {
            NetRoute.prefix($0.address, $0.prefixLength) == NetRoute.prefix(target, $0.prefixLength)
        }) {
            return sameSubnet.address
        }
        if let first = onDevice.first(where: { !isLoopbackAddress($0.address) }) { return first.address }
        return usable.first { !isLoopbackAddress($0.address) }?.address
    }

    static func isLoopbackAddress(_ address: [UInt8]) -> Bool {
        address.count == 4 ? address[0] == 127 : address == Array(repeating: 0, count: 15) + [1]
    }

    /// rt6_need_strict: multicast, link-local and loopback addresses.
    static func needsStrictScope(_ address: [UInt8]) -> Bool {
        guard address.count == 16 else { return false }
        if address[0] == 0xff { return true }
        if address[0] == 0xfe && address[1] & 0xc0 == 0x80 { return true }
        return isLoopbackAddress(address)
    }
}
