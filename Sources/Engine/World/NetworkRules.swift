import BPFCore
import TCRuntime
import TCX

/// The rtnetlink and socket rules of the embedded world's network state, each refusal with
/// the errno the kernel gives.
extension NetworkSnapshot {
    /// The state of a fresh namespace: `lo` up with 127.0.0.1/8 and ::1/128.
    static func fresh() -> NetworkSnapshot {
        var net = NetworkSnapshot()
        net.devices[1] = NetDevice(name: "lo", ifindex: 1, mac: [0, 0, 0, 0, 0, 0], mtu: 65536, isLoopback: true)
        net.installAddress(ifindex: 1, [127, 0, 0, 1], prefixLength: 8)
        net.installAddress(ifindex: 1, Array(repeating: 0, count: 15) + [1], prefixLength: 128)
        return net
    }

    /// Follows the world's device changes: new devices get the kernel's defaults, deleted ones
    /// take their addresses, routes and neighbours with them.
    mutating func apply(added: [DeviceInfo], removed: [UInt32]) {
        for gone in removed where devices[gone] != nil {
            devices[gone] = nil
            addresses.removeAll { $0.ifindex == gone }
            routes.removeAll { $0.ifindex == gone }
            neighbours.removeAll { $0.ifindex == gone }
        }
        for info in added where devices[info.ifindex] == nil {
            // veth picks a random address; a fixed one here until the script sets it.
            let mac: [UInt8] = [0x02, 0, 0, 0, UInt8(truncatingIfNeeded: info.ifindex >> 8), UInt8(truncatingIfNeeded: info.ifindex)]
            devices[info.ifindex] = NetDevice(name: info.name, ifindex: info.ifindex, mac: mac, mtu: 1500,
                                              isLoopback: info.kind == .loopback, peerIfindex: info.peerIfindex)
        }
    }

    func requireDevice(_ ifindex: UInt32) throws(TCXError) -> NetDevice {
        guard let device = devices[ifindex] else { throw TCXError(.ENODEV, "no device has ifindex \(ifindex)") }
        return device
    }

    mutating func setMAC(ifindex: UInt32, _ mac: MACAddress) throws(TCXError) {
        _ = try requireDevice(ifindex)
        // eth_prepare_mac_addr_change: a unicast, non-zero address only.
        guard mac.bytes[0] & 1 == 0, mac.bytes != [0, 0, 0, 0, 0, 0] else {
            throw TCXError(.EADDRNOTAVAIL, "\(mac) is not a unicast hardware address")
        }
        devices[ifindex]?.mac = mac.bytes
    }

    mutating func setMTU(ifindex: UInt32, _ mtu: UInt32) throws(TCXError) {
        let device = try requireDevice(ifindex)
        // dev_validate_mtu: veth takes 68...65535; loopback has no limit but the int's.
        let range: ClosedRange<UInt32> = device.isLoopback ? 0...UInt32(Int32.max) : 68...65535
        guard range.contains(mtu) else {
            throw TCXError(.EINVAL, "MTU \(mtu) is outside \(device.name)'s range \(range.lowerBound)...\(range.upperBound)")
        }
        devices[ifindex]?.mtu = mtu
        // Below 68 bytes IPv4 leaves the device, below 1280 IPv6 does: their addresses and
        // the routes that came with them go (and do not come back with a larger MTU).
        if mtu < NetDevice.ipv4MinimumMTU { dropProtocol(ifindex: ifindex, width: 4) }
        if mtu < NetDevice.ipv6MinimumMTU { dropProtocol(ifindex: ifindex, width: 16) }
    }

    private mutating func dropProtocol(ifindex: UInt32, width: Int) {
        addresses.removeAll { $0.ifindex == ifindex && $0.address.count == width }
        routes.removeAll { $0.ifindex == ifindex && $0.destination.count == width }
        neighbours.removeAll { $0.ifindex == ifindex && $0.address.count == width }
    }

    mutating func addAddress(ifindex: UInt32, _ prefix: IPPrefix) throws(TCXError) {
        let device = try requireDevice(ifindex)
        let bytes = prefix.address.bytes
        if prefix.address.isIPv4 && !device.hasIPv4 {
            throw TCXError(.ENOBUFS, "\(device.name) has no IPv4 (its MTU is below 68)")
        }
        if !prefix.address.isIPv4 && !device.hasIPv6 {
            throw TCXError(.EINVAL, "\(device.name) has no IPv6 (its MTU is below 1280)")
        }
        // ipv6_add_addr: no unspecified or multicast address, and ::1 only on loopback.
        if !prefix.address.isIPv4 {
            let unspecified = bytes.allSatisfy { $0 == 0 }
            let loopbackAddress = bytes == [UInt8](repeating: 0, count: 15) + [1]
            if unspecified || bytes[0] == 0xff || (loopbackAddress && !device.isLoopback) {
                throw TCXError(.EADDRNOTAVAIL, "\(prefix.address) cannot be an address of \(device.name)")
            }
        }
        // IPv4 tells addresses apart by address and prefix length (the same address with another
        // prefix is a new one); IPv6 by the address alone.
        if addresses.contains(where: {
            $0.ifindex == ifindex && $0.address == bytes && (!prefix.address.isIPv4 || $0.prefixLength == Int(prefix.length))
        }) {
            throw TCXError(.EEXIST, "\(prefix.address) is on ifindex \(ifindex) already")
        }
        installAddress(ifindex: ifindex, bytes, prefixLength: Int(prefix.length))
    }

    /// The address and the routes the kernel adds with it: a local route in the local table
    /// and, below the full length, a prefix route (local on loopback).
    private mutating func installAddress(ifindex: UInt32, _ bytes: [UInt8], prefixLength: Int) {
        let v6 = bytes.count == 16
        let full = bytes.count * 8
        let loopback = devices[ifindex]?.isLoopback ?? false
        addresses.append(NetAddress(ifindex: ifindex, address: bytes, prefixLength: prefixLength))
        routes.append(NetRoute(destination: bytes, prefixLength: full, ifindex: ifindex, type: .local,
                               table: NetRoute.localTable, preferredSource: bytes))
        let network = NetRoute.prefix(bytes, prefixLength)
        if v6 {
            routes.append(NetRoute(destination: network, prefixLength: prefixLength, ifindex: ifindex,
                                   metric: 256, table: NetRoute.mainTable))
            // A forwarding IPv6 host also answers the subnet-router anycast address.
            if prefixLength < 127 && network != bytes && !loopback {
                routes.append(NetRoute(destination: network, prefixLength: 128, ifindex: ifindex, type: .anycast,
                                       table: NetRoute.localTable))
            }
        } else if prefixLength < full && network[0] != 0 && bytes[0] & 0xf0 != 0xe0 {
            // No prefix or broadcast route for a prefix in 0.0.0.0/8 (fib_add_ifaddr) or for a
            // multicast address (measured on Linux 6.18: a route to its prefix can be added).
            routes.append(NetRoute(destination: network, prefixLength: prefixLength, ifindex: ifindex,
                                   type: loopback ? .local : .unicast,
                                   table: loopback ? NetRoute.localTable : NetRoute.mainTable, preferredSource: bytes))
            // The subnet's broadcast address, where the prefix leaves room for one.
            if prefixLength < 31 {
                let broadcast = zip(network, NetRoute.prefix([255, 255, 255, 255], prefixLength)).map { $0 | ~$1 }
                routes.append(NetRoute(destination: broadcast, prefixLength: 32, ifindex: ifindex, type: .broadcast,
                                       table: NetRoute.localTable, preferredSource: bytes))
            }
        }
    }

    mutating func addRoute(_ spec: RouteSpec) throws(TCXError) {
        _ = try requireDevice(spec.ifindex)
        let destination = spec.destination.address.masked(to: Int(spec.destination.length)).bytes
        let v6 = destination.count == 16
        if let gateway = spec.gateway {
            guard gateway.bytes.count == destination.count else {
                throw TCXError(.EINVAL, "gateway \(gateway) is not of the destination's family")
            }
            // The gateway must be on a directly connected prefix of the device (IPv6: or link-local).
            let linkLocal = v6 && gateway.bytes[0] == 0xfe && gateway.bytes[1] & 0xc0 == 0x80
            let connected = routes.contains {
                $0.ifindex == spec.ifindex && $0.isLinkScope && $0.table == NetRoute.mainTable && $0.matches(gateway.bytes)
            }
            if !linkLocal && !connected {
                throw TCXError(v6 ? .EHOSTUNREACH : .ENETUNREACH, "gateway \(gateway) is not reachable through ifindex \(spec.ifindex)")
            }
        }
        let metric: UInt32 = v6 ? 1024 : 0
        if routes.contains(where: {
            $0.table == NetRoute.mainTable && $0.destination == destination
                && $0.prefixLength == Int(spec.destination.length) && $0.metric == metric
        }) {
            throw TCXError(.EEXIST, "the main table has a route to \(spec.destination) already")
        }
        routes.append(NetRoute(destination: destination, prefixLength: Int(spec.destination.length),
                               ifindex: spec.ifindex, gateway: spec.gateway?.bytes, metric: metric))
    }

    mutating func addNeighbour(ifindex: UInt32, address: IPAddress, mac: MACAddress) throws(TCXError) {
        let device = try requireDevice(ifindex)
        // ARP takes entries only on a device with IPv4 (loopback too, unless its MTU took IPv4
        // off it); neighbour discovery takes them on loopback whatever its MTU.
        if address.isIPv4 && !device.hasIPv4 {
            throw TCXError(.EINVAL, "\(device.name) has no IPv4 (its MTU is below 68): no IPv4 neighbour entries")
        }
        // ARP keeps one entry for every IPv4 address on loopback, keyed 0.0.0.0 (arp_constructor):
        // adding another address finds that entry and takes the new MAC; only 0.0.0.0 itself is
        // "already there".
        let collapses = address.isIPv4 && device.isLoopback
        let key = collapses ? [0, 0, 0, 0] : address.bytes
        if let existing = neighbours.firstIndex(where: { $0.ifindex == ifindex && $0.address == key }) {
            guard collapses && address.bytes != key else {
                throw TCXError(.EEXIST, "ifindex \(ifindex) has a neighbour entry for \(address) already")
            }
            neighbours[existing].mac = mac.bytes
            return
        }
        neighbours.append(NetNeighbour(ifindex: ifindex, address: key, mac: mac.bytes))
    }

    mutating func listen(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) {
        try checkBindAddress(address)
        // A TCP socket bound to an IPv6 multicast address does not listen (EINVAL, Linux 6.18).
        if transport == .tcp && !address.isIPv4 && address.bytes[0] == 0xff {
            throw TCXError(.EINVAL, "a TCP socket cannot listen on the multicast address \(address)")
        }
        let number: UInt8 = transport == .tcp ? 6 : 17
        if port != 0, sockets.contains(where: {
            $0.protocolNumber == number && $0.port == port && Self.conflict($0.address, address.bytes)
        }) {
            throw TCXError(.EADDRINUSE, "\(transport.rawValue) port \(port) is in use on \(address)")
        }
        // Identities are never reused: a closed socket's may still be held by a program run.
        let identity = (sockets.map(\.identity).max() ?? 0) + 1
        sockets.append(NetSocket(protocolNumber: number, address: address.bytes, port: port, identity: identity))
    }

    /// What bind(2) takes without a device bound: IPv4 a local, broadcast or multicast address
    /// (inet_addr_valid_or_nonlocal); IPv6 a local or multicast one, but no address that needs a
    /// scope id (link-local unicast, interface- and link-local multicast: EINVAL, checked first).
    private func checkBindAddress(_ address: IPAddress) throws(TCXError) {
        let bytes = address.bytes
        if bytes.allSatisfy({ $0 == 0 }) { return }
        let local = addresses.contains { $0.address == bytes }
        if address.isIPv4 {
            let multicast = bytes[0] & 0xf0 == 0xe0
            let broadcast = bytes == [255, 255, 255, 255]
                || routes.contains { $0.type == .broadcast && $0.table == NetRoute.localTable && $0.destination == bytes }
            guard local || multicast || broadcast else {
                throw TCXError(.EADDRNOTAVAIL, "\(address) is not an address of this world")
            }
            return
        }
        let multicast = bytes[0] == 0xff
        let linkLocal = bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
        if linkLocal || (multicast && (bytes[1] & 0x0f == 1 || bytes[1] & 0x0f == 2)) {
            throw TCXError(.EINVAL, "\(address) needs a scope id (a bound device), which listen does not give")
        }
        guard local || multicast else {
            throw TCXError(.EADDRNOTAVAIL, "\(address) is not an address of this world")
        }
    }

    /// Two binds of one port clash (no SO_REUSEADDR): the same family with equal addresses or
    /// a wildcard on either side, or an IPv6 wildcard (dual stack) against any IPv4 address.
    static func conflict(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let aAny = a.allSatisfy { $0 == 0 }, bAny = b.allSatisfy { $0 == 0 }
        if a.count == b.count { return a == b || aAny || bAny }
        return (a.count == 16 && aAny) || (b.count == 16 && bAny)
    }
}
