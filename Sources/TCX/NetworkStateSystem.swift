import BPFCore

/// The network around the programs of a world, as tc helpers consult it (`bpf_fib_lookup`,
/// `bpf_redirect_neigh`, `bpf_check_mtu`, the socket lookups): device addresses and MTUs,
/// IP addresses, routes of the main table, neighbours and listening sockets.
///
/// Each call is the rtnetlink or socket operation named, with the kernel's errno; the world
/// forwards IPv4 and IPv6.
public protocol NetworkStateSystem: TCXSystem {
    /// `ip link set DEV address MAC`.
    func setMAC(ifindex: UInt32, _ mac: MACAddress) throws(TCXError)
    /// `ip link set DEV mtu N`.
    func setMTU(ifindex: UInt32, _ mtu: UInt32) throws(TCXError)
    /// `ip addr add ADDRESS/PREFIX dev DEV`; an IPv6 address skips duplicate address detection.
    func addAddress(ifindex: UInt32, _ prefix: IPPrefix) throws(TCXError)
    /// `ip route add DEST/PREFIX dev DEV [via GATEWAY]` in the main table.
    func addRoute(_ route: RouteSpec) throws(TCXError)
    /// `ip neigh add ADDRESS lladdr MAC dev DEV nud permanent`.
    func addNeighbour(ifindex: UInt32, address: IPAddress, mac: MACAddress) throws(TCXError)
    /// A socket bound to ADDRESS:PORT (TCP: listening) that lives as long as the world.
    func listen(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError)
    /// `listen`, keeping a descriptor for the socket: the value a SOCKMAP or SOCKHASH update
    /// takes (4 or 8 bytes, the fd). Closing the handle closes the socket, which then leaves every
    /// socket map, as on the kernel.
    func openSocket(_ transport: SocketProtocol, address: IPAddress, port: UInt16) throws(TCXError) -> Handle
    /// BPF_PROG_TEST_RUN with a `ctx_in` whose only field set is `ifindex`: the run sees that
    /// device (and `wire_len` is the packet's length).
    func testRun(_ program: Handle, packet: [UInt8], repeat count: UInt32, ifindex: UInt32) throws(TCXError) -> TestRunResult
}
