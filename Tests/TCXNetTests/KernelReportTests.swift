import LinuxKernel
import SwiftTCX
import TCXNet
import Testing

/// The same scripts on a kernel world: ids are the kernel's (system-wide), so the checks are
/// on names, order, modes and revisions, and on ids agreeing with each other.
@Suite(.enabled(if: Worlds.canUseKernel, "needs root and a kernel that makes worlds"))
struct KernelReportTests {
    @Test func vethWorldMatchesTheEmbeddedOneUpToIDs() throws {
        let world = try Worlds.world(.kernel, running: Worlds.vethScript)
        defer { world.shutdown() }
        let report = try NetReport.build(from: world)
        #expect(report.source == "kernel")
        let veth0 = try Worlds.device(report, "veth0")
        #expect(veth0.peer?.name == "veth1")
        let ingress = try Worlds.hook(veth0, "tcx/ingress")
        #expect(ingress.revision == 4)
        #expect(ingress.count == 3)
        #expect(ingress.entries.map(\.programName) == ["tc1", "tc3", "tc2"])
        #expect(ingress.entries.map { $0.linkID == nil } == [true, false, false])
        #expect(ingress.entries.allSatisfy { $0.programType == "sched_cls" })
        let loEgress = try Worlds.hook(Worlds.device(report, "lo"), "tcx/egress")
        #expect(loEgress.entries.map(\.programID) == [ingress.entries[1].programID])

        // The same report with the kernel's ids replaced by the embedded engine's is equal.
        let embeddedWorld = try Worlds.world(.embedded, running: Worlds.vethScript)
        defer { embeddedWorld.shutdown() }
        let embedded = try NetReport.build(from: embeddedWorld)
        #expect(Self.withoutIDs(report).devices == Self.withoutIDs(embedded).devices)
    }

    @Test func buildingTwiceChangesNothing() throws {
        let world = try Worlds.world(.kernel, running: Worlds.vethScript)
        defer { world.shutdown() }
        #expect(try NetReport.build(from: world) == NetReport.build(from: world))
    }

    @Test func netkitWorldWhereTheKernelHasNetkit() throws {
        guard KernelSystem.supportsNetkit else {
            print("TCXNetTests: this kernel has no netkit, the kernel netkit report is not checked")
            return
        }
        let world = try Worlds.world(.kernel, running: Worlds.netkitScript)
        defer { world.shutdown() }
        let primary = try Worlds.device(NetReport.build(from: world), "nk1")
        #expect(try Worlds.hook(primary, "netkit/peer").entries.map(\.programName) == ["tc1", "tc2"])
    }

    private static func withoutIDs(_ report: NetReport) -> NetReport {
        var copy = report
        for d in copy.devices.indices {
            for h in copy.devices[d].hooks.indices {
                for e in copy.devices[d].hooks[h].entries.indices {
                    copy.devices[d].hooks[h].entries[e].programID = 0
                    copy.devices[d].hooks[h].entries[e].linkID = copy.devices[d].hooks[h].entries[e].linkID.map { _ in 0 }
                }
            }
        }
        return copy
    }
}
