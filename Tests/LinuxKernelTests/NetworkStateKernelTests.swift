import Foundation
import Glibc
import BPFCore
import LinuxKernel
import TCX
import Testing

/// The kernel backend's network state: it lives in the world's namespace, forwarding is on
/// there and not touched outside, and a shut-down world leaves no socket or namespace behind.
@Suite(needsKernel)
struct NetworkStateKernelTests {
    /// The process's sockets bound to `port` (found by getsockname on every open fd), so the
    /// check ignores what tests running alongside open and close.
    static func sockets(boundTo port: UInt16) -> [Int32] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap(Int32.init).filter { fd in
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { return false }
            // sin_port and sin6_port sit at the same offset, in network order.
            let bound = withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
            return bound == port && (Int32(storage.ss_family) == AF_INET || Int32(storage.ss_family) == AF_INET6)
        }
    }

    static func hostForwarding() -> String? {
        try? String(contentsOfFile: "/proc/sys/net/ipv4/conf/all/forwarding", encoding: .utf8)
    }

    @Test func shutdownClosesSocketsAndLeavesNothingBehind() throws {
        let hostBefore = Self.hostForwarding()
        let world = try KernelSystem()
        let inode = world.namespaceInode
        let (v1, _) = try world.createVeth(name: "v1", peer: "v2")
        try world.setMAC(ifindex: v1, try #require(MACAddress("02:00:00:00:01:01")))
        try world.setMTU(ifindex: v1, 1400)
        try world.addAddress(ifindex: v1, try #require(IPPrefix("10.0.1.1/24")))
        try world.addAddress(ifindex: v1, try #require(IPPrefix("2001:db8:1::1/64")))
        try world.addRoute(RouteSpec(destination: try #require(IPPrefix("0.0.0.0/0")), ifindex: v1,
                                     gateway: IPAddress("10.0.1.254")))
        try world.addNeighbour(ifindex: v1, address: try #require(IPAddress("10.0.1.254")),
                               mac: try #require(MACAddress("aa:bb:cc:00:00:01")))
        // The IPv6 address is usable at once (no duplicate address detection).
        try world.listen(.tcp, address: try #require(IPAddress("2001:db8:1::1")), port: 47_11)
        try world.listen(.udp, address: try #require(IPAddress("10.0.1.1")), port: 47_12)
        #expect(Self.sockets(boundTo: 47_11).count == 1 && Self.sockets(boundTo: 47_12).count == 1)
        #expect(Self.hostForwarding() == hostBefore)

        world.shutdown()
        #expect(Self.sockets(boundTo: 47_11).isEmpty && Self.sockets(boundTo: 47_12).isEmpty)
        #expect(KernelWorldTests.namespaceHolders(inode) == 0)
        #expect(Self.hostForwarding() == hostBefore)
    }

    @Test func refusalsCarryTheKernelsErrno() throws {
        try KernelTestSupport.withWorld { (world) throws in
            let (v1, _) = try world.createVeth(name: "v1", peer: "v2")
            #expect(KernelTestSupport.errno { try world.setMTU(ifindex: v1, 67) } == .EINVAL)
            #expect(KernelTestSupport.errno { try world.setMAC(ifindex: 99, try #require(MACAddress("02:00:00:00:00:01"))) } == .ENODEV)
            #expect(KernelTestSupport.errno { try world.listen(.tcp, address: try #require(IPAddress("10.5.5.5")), port: 80) } == .EADDRNOTAVAIL)
        }
    }
}
