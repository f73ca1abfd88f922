import BPFCore
import Glibc
import LinuxKernel
import TCX
import Testing

/// Real frames through both attach paths: pings cross a veth pair into a sandbox world and a
/// counting program on the world end's ingress counts them, attached with tcx, then with tc.
@Suite(needsKernel, .enabled(if: NamespaceTools.have("ping"), "needs ping (apt-get install iputils-ping)"),
       .enabled(if: NamespaceTools.have("nsenter", "ip"), "needs nsenter and ip (iproute2)"))
struct ClassicTrafficTests {
    /// The pinging end lives in a second, named namespace: with both ends in one namespace the
    /// kernel would answer locally and no frame would cross the pair.
    @Test func pingsAreCountedInTCXModeAndInTCMode() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let (near, _) = try world.createVeth(name: "tva", peer: "tvb")
        let ingress = HookTarget(ifindex: near, attachType: .tcxIngress)
        try world.addAddress(ifindex: near, cidr: "10.77.0.1/24")
        #expect(throws: TCXError.self) { try world.addAddress(ifindex: near, cidr: "10.77.0.1/33") }

        let name = "tcx-classic-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try NamespaceTools.require(["ip", "netns", "add", name])
        defer { _ = try? NamespaceTools.run(["ip", "netns", "del", name]) }
        let far = "/run/netns/\(name)"
        try NamespaceTools.require(in: world.namespacePath, "ip", ["link", "set", "tvb", "netns", name])
        try NamespaceTools.require(in: far, "ip", ["link", "set", "lo", "up"])
        try NamespaceTools.require(in: far, "ip", ["addr", "add", "10.77.0.2/24", "dev", "tvb"])
        try NamespaceTools.require(in: far, "ip", ["link", "set", "tvb", "up"])
        func ping() throws {
            try NamespaceTools.require(in: far, "ping", ["-c", "3", "-i", "0.2", "-W", "2", "10.77.0.1"])
        }

        let map = try world.createMap(CountingProgram.map)
        let counter = try world.loadProgram(CountingProgram.spec(returning: Verdict.next.rawValue), maps: [map])

        #expect(try world.attach(counter, to: ingress, mode: .tcx) == .tcx)
        try ping()
        let afterTCX = try CountingProgram.count(world, map)
        #expect(afterTCX >= 3, "three echo requests crossed the tcx hook")
        try world.detach(program: counter, from: ingress, mode: .tcx)

        try ping()
        #expect(try CountingProgram.count(world, map) == afterTCX, "nothing counts while detached")

        #expect(try world.attach(counter, to: ingress, mode: .tc) == .tc(priority: ClassicPriorities.start, handle: 1))
        try ping()
        let afterTC = try CountingProgram.count(world, map)
        #expect(afterTC >= afterTCX + 3, "three more crossed the cls_bpf filter")
        try world.detach(program: counter, from: ingress, mode: .tc)
        #expect(try world.attachments(on: ingress).programIDs.isEmpty)
    }
}
