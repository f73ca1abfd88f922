@testable import TCRuntime
import Testing

/// The bpf_fib_lookup results a script cannot reach (a world always forwards, `route` adds only
/// unicast routes): forwarding off, blackhole/unreachable/prohibit routes, no source address.
/// The rest is recorded on the kernel in scripts/kernel/net_fib.tcx.
@Suite struct FIBLookupTests {
    static func world() -> NetworkSnapshot {
        var net = NetworkSnapshot()
        net.devices[1] = NetDevice(name: "lo", ifindex: 1, mac: [0, 0, 0, 0, 0, 0], mtu: 65536, isLoopback: true)
        net.devices[3] = NetDevice(name: "v1", ifindex: 3, mac: [2, 0, 0, 0, 1, 1], mtu: 1500, isLoopback: false)
        return net
    }

    static func params(family: UInt8, destination: [UInt8], ifindex: UInt32 = 1) -> FIBParams {
        var p = FIBParams(bytes: [])
        p.bytes[0] = family
        p.set32(FIBParams.ifindex, ifindex)
        p.setBytes(FIBParams.destination, destination)
        return p
    }

    static let v4 = [UInt8]([10, 9, 1, 1])
    static let v6 = [UInt8]([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [5])

    @Test func forwardingOffAnswersForwardingDisabled() {
        var net = Self.world()
        net.forwardsIPv4 = false
        net.forwardsIPv6 = false
        var p4 = Self.params(family: 2, destination: Self.v4)
        #expect(FIB.lookup(&p4, flags: 0, in: net) == FIB.Result.forwardingDisabled.rawValue)
        var p6 = Self.params(family: 10, destination: Self.v6)
        #expect(FIB.lookup(&p6, flags: 0, in: net) == FIB.Result.forwardingDisabled.rawValue)
    }

    @Test(arguments: [(RouteType.blackhole, FIB.Result.blackhole), (.unreachable, .unreachable), (.prohibit, .prohibit)])
    func rejectingRoutesAnswerTheirType(type: RouteType, expected: FIB.Result) {
        var net = Self.world()
        net.routes.append(NetRoute(destination: [10, 9, 0, 0], prefixLength: 16, ifindex: 1, type: type))
        net.routes.append(NetRoute(destination: Array(Self.v6.prefix(4)) + Array(repeating: 0, count: 12),
                                   prefixLength: 32, ifindex: 1, type: type, metric: 1024))
        var p4 = Self.params(family: 2, destination: Self.v4)
        #expect(FIB.lookup(&p4, flags: 0, in: net) == expected.rawValue)
        var p6 = Self.params(family: 10, destination: Self.v6)
        #expect(FIB.lookup(&p6, flags: 0, in: net) == expected.rawValue)
    }

    @Test func sourceWantedWithoutAnyAddressIsNoSourceAddress() {
        var net = Self.world()
        net.routes.append(NetRoute(destination: [10, 9, 0, 0], prefixLength: 16, ifindex: 3))
        var p4 = Self.params(family: 2, destination: Self.v4)
        #expect(FIB.lookup(&p4, flags: FIB.source | FIB.skipNeigh, in: net) == FIB.Result.noSourceAddress.rawValue)
        net.addresses.append(NetAddress(ifindex: 3, address: [10, 9, 0, 1], prefixLength: 16))
        var again = Self.params(family: 2, destination: Self.v4)
        #expect(FIB.lookup(&again, flags: FIB.source | FIB.skipNeigh, in: net) == FIB.Result.success.rawValue)
        #expect(Array(again.bytes[16..<20]) == [10, 9, 0, 1])
    }

    @Test func unknownFamilyAndDeviceAreErrnos() {
        let net = Self.world()
        var odd = Self.params(family: 7, destination: Self.v4)
        #expect(FIB.lookup(&odd, flags: 0, in: net) == -97)
        var nowhere = Self.params(family: 2, destination: Self.v4, ifindex: 42)
        #expect(FIB.lookup(&nowhere, flags: 0, in: net) == -19)
    }

    @Test func neighbourOutputRewritesTheMACs() {
        var net = Self.world()
        net.routes.append(NetRoute(destination: [10, 9, 0, 0], prefixLength: 16, ifindex: 3, gateway: [10, 0, 0, 254]))
        net.neighbours.append(NetNeighbour(ifindex: 3, address: [10, 0, 0, 254], mac: [0xaa, 0xbb, 0xcc, 0, 0, 1]))
        var frame: [UInt8] = [2, 0, 0, 0, 9, 9, 2, 0, 0, 0, 8, 8, 0x08, 0x00, 0x45] + Array(repeating: 0, count: 19)
        frame.replaceSubrange(30..<34, with: Self.v4)
        var metadata = SKBMetadata()
        metadata.protocol = 0x0800
        let skb = SKBuff(packet: frame, metadata: metadata)
        #expect(NeighbourOutput.prepare(skb, ifindex: 3, nextHop: nil, in: net) == nil)
        #expect(Array(skb.packet.prefix(14)) == [0xaa, 0xbb, 0xcc, 0, 0, 1, 2, 0, 0, 0, 1, 1, 0x08, 0x00])
        // A next hop with no neighbour entry: the kernel would park the frame, nothing goes out.
        #expect(NeighbourOutput.prepare(skb, ifindex: 3, nextHop: [10, 0, 0, 7], in: net) != nil)
    }
}
