import Glibc
import LinuxKernel
import TCXNet
import Testing

/// The real machine, read-only.
@Suite(.enabled(if: Worlds.canUseKernel, "needs root and a kernel that makes worlds"))
struct HostViewTests {
    @Test func listsLoopbackFirstAndChangesNothing() throws {
        let before = try NetReport.buildHost()
        #expect(before.source == "host")
        let lo = try #require(before.devices.first)
        #expect(lo.name == "lo")
        #expect(lo.kind == "loopback")
        #expect(lo.hooks.map(\.name) == ["tcx/ingress", "tcx/egress"])
        #expect(lo.classic != nil)
        let after = try NetReport.buildHost()
        #expect(before == after)
    }

    @Test func programLookupsCloseTheirDescriptors() throws {
        let host = try HostNetwork()
        let world = try KernelSystem()
        defer { world.shutdown() }
        let program = try world.loadProgram(.returning(0, name: "lookup"))
        let id = try world.programInfo(program).id
        let open = Self.openDescriptors()
        for _ in 0..<50 { #expect(try host.program(id: id)?.name == "lookup") }
        // Other tests open files meanwhile; 50 leaked fds would stand out from that.
        #expect(Self.openDescriptors() < open + 25)
        #expect(try host.program(id: UInt32.max - 1) == nil)
    }

    private static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }
}
