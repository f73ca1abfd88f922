import LinuxKernel
import SwiftTCX
import TCXNet
import Testing

/// The host view's classic tc, shown on a private namespace's lo with clsact filters that tc
/// itself attached (from a program pinned in a kernel world's bpffs).
@Suite(.enabled(if: Worlds.canUseKernel && PrivateNamespace.haveTools, "needs root, nsenter and tc"))
struct ClassicFilterTests {
    @Test func clsactFiltersInPriorityOrderWithTheirPrograms() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let program = try world.loadProgram(.returning(0, name: "clsprog"))
        let id = try world.programInfo(program).id
        try world.pin(program, at: PinPath("clsprog"))
        let pinned = world.pinRoot + "/clsprog"
        let report = try PrivateNamespace.run { namespace in
            try PrivateNamespace.tc(namespace, ["qdisc", "add", "dev", "lo", "clsact"])
            for (hook, pref, handle) in [("ingress", "20", "2"), ("ingress", "10", "1"), ("egress", "5", "3")] {
                try PrivateNamespace.tc(namespace, ["filter", "add", "dev", "lo", hook, "pref", pref, "handle", handle,
                                                    "bpf", "da", "object-pinned", pinned])
            }
            let first = try NetReport.buildHost()
            #expect(try NetReport.buildHost() == first)
            return first
        }
        let lo = try #require(report.devices.first { $0.name == "lo" })
        let filters = try #require(lo.classic)
        #expect(filters.map(\.parent) == ["clsact/ingress", "clsact/ingress", "clsact/egress"])
        #expect(filters.map(\.priority) == [10, 20, 5])
        #expect(filters.map(\.handle) == [1, 2, 3])
        #expect(filters.allSatisfy { $0.kind == "bpf" && $0.programID == id && $0.programName == "clsprog" && $0.directAction })
        #expect(lo.hooks.allSatisfy { $0.entries.isEmpty })
        #expect(report.text.contains("    clsact/ingress pref 10 handle 0x1 bpf: clsprog(\(id))"))
        #expect(!report.text.contains("not shown"))
    }

    @Test func ingressQdiscFiltersAreShownOnce() throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let program = try world.loadProgram(.returning(0, name: "ingprog"))
        try world.pin(program, at: PinPath("ingprog"))
        let pinned = world.pinRoot + "/ingprog"
        let report = try PrivateNamespace.run { namespace in
            try PrivateNamespace.tc(namespace, ["qdisc", "add", "dev", "lo", "ingress"])
            try PrivateNamespace.tc(namespace, ["filter", "add", "dev", "lo", "parent", "ffff:", "pref", "1", "handle", "1",
                                                "bpf", "da", "object-pinned", pinned])
            return try NetReport.buildHost()
        }
        let filters = try #require(report.devices.first { $0.name == "lo" }?.classic)
        #expect(filters.map(\.parent) == ["ingress"])
        #expect(filters.first?.programName == "ingprog")
    }
}
