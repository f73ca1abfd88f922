import Atomics
import BPFCore
import TCRuntime
import TCX

/// The embedded world's network state: kept in the runner's `NetworkState`, which the helpers
/// read, under the kernel's rules (`NetworkRules.swift`).
extension EmbeddedSystem: NetworkStateSystem {
    private func change(_ body: (inout NetworkSnapshot) throws(TCXError) -> Void) throws(TCXError) {
        let failure: TCXError? = runner.services.network.update { net in
            var copy = net
            do throws(TCXError) {
                try body(&copy)
                net = copy
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    public func setMAC(ifindex: UInt32, _ mac: MACAddress) throws(TCXError) {
        try change { net throws(TCXError) in try net.setMAC(ifindex: ifindex, mac) }
        // The datapath classifies arriving frames against the new address from now on.
        published.topology().devices[ifindex]?.hardwareAddress.store(SKBuff.packedAddress(mac.bytes))
    }

    public func setMTU(ifindex: UInt32, _ mtu: UInt32) throws(TCXError) {
        try change { net throws(TCXError) in try net.setMTU(ifindex: ifindex, mtu) }
    }

    public func addAddress(ifindex: UInt32, _ prefix: IPPrefix) throws(TCXError) {
        try change { net throws(TCXError) in try net.addAddress(ifindex: ifindex, prefix) }
    }

    public func addRoute(_ route: RouteSpec) throws(TCXError) {
        try change { net throws(TCXError) in try net.addRoute(route) }
    }

    public func addNeighbour(ifindex: UInt32, address: IPAddress, mac: MACAddress) throws(TCXError) {
        try change { net throws(TCXError) in try net.addNeighbour(ifindex: ifindex, address: address, mac: mac) }
    }

    public func listen(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) {
        try change { net throws(TCXError) in try net.listen(transport, address: address, port: port) }
    }

    public func testRun(_ program: Handle, packet: [UInt8], repeat count: UInt32, ifindex: UInt32) throws(TCXError) -> TestRunResult {
        let object = try withWorld { world throws(TCXError) in try world.program(at: program.rawValue, role: "program") }
        return try TestRun.run(object, packet: packet, repeat: count, ifindex: ifindex)
    }

    /// The network state the helpers see now.
    public var network: NetworkSnapshot { runner.services.network.snapshot }
}
