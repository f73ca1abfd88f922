import SwiftTCX
import TCXNet
import Testing

@Suite struct EmbeddedReportTests {
    @Test func vethWorldInOrderWithIDsNamesAndModes() throws {
        let world = try Worlds.world(.embedded, running: Worlds.vethScript)
        defer { world.shutdown() }
        let report = try NetReport.build(from: world)
        #expect(report.source == "embedded")
        #expect(report.devices.map(\.name) == ["lo", "veth1", "veth0"])
        let veth0 = try Worlds.device(report, "veth0")
        #expect(veth0.kind == "veth")
        #expect(veth0.peer == NetReport.Peer(ifindex: 2, name: "veth1"))
        #expect(veth0.classic == nil)
        #expect(veth0.hooks.map(\.name) == ["tcx/ingress", "tcx/egress"])
        let ingress = try Worlds.hook(veth0, "tcx/ingress")
        #expect(ingress.revision == 4)
        #expect(ingress.count == 3)
        #expect(ingress.entries == [
            NetReport.Entry(programID: 1, programName: "tc1", programType: "sched_cls", linkID: nil),
            NetReport.Entry(programID: 3, programName: "tc3", programType: "sched_cls", linkID: 2),
            NetReport.Entry(programID: 2, programName: "tc2", programType: "sched_cls", linkID: 1),
        ])
        #expect(try Worlds.hook(veth0, "tcx/egress") == NetReport.Hook(name: "tcx/egress", revision: 1, count: 0, entries: []))
        let loEgress = try Worlds.hook(Worlds.device(report, "lo"), "tcx/egress")
        #expect(loEgress.revision == 2)
        #expect(loEgress.entries.map(\.programName) == ["tc3"])
    }

    @Test func netkitPrimaryShowsBothNetkitHooks() throws {
        let world = try Worlds.world(.embedded, running: Worlds.netkitScript)
        defer { world.shutdown() }
        let report = try NetReport.build(from: world)
        let primary = try Worlds.device(report, "nk1")
        #expect(primary.kind == "netkit-primary")
        #expect(primary.peer?.name == "nk0")
        #expect(primary.hooks.map(\.name) == ["tcx/ingress", "tcx/egress", "netkit/primary", "netkit/peer"])
        let onPrimary = try Worlds.hook(primary, "netkit/primary")
        #expect(onPrimary.revision == 2)
        #expect(onPrimary.entries.map(\.programName) == ["tc1"])
        #expect(onPrimary.entries.map(\.linkID) == [1])
        let onPeer = try Worlds.hook(primary, "netkit/peer")
        #expect(onPeer.revision == 3)
        #expect(onPeer.entries.map(\.programName) == ["tc1", "tc2"])
        #expect(onPeer.entries.map(\.linkID) == [nil, 2])
        let peer = try Worlds.device(report, "nk0")
        #expect(peer.kind == "netkit-peer")
        #expect(peer.hooks.map(\.name) == ["tcx/ingress", "tcx/egress"])
    }

    /// Names come from opening programs by id: every such handle must be closed again and
    /// nothing in the world may change.
    @Test func buildingLeavesTheWorldAsItWas() throws {
        let world = try Worlds.world(.embedded, running: Worlds.vethScript)
        defer { world.shutdown() }
        let probe = try world.program(byID: 1)
        try world.close(probe)
        let first = try NetReport.build(from: world)
        let second = try NetReport.build(from: world)
        #expect(first == second)
        // The lowest free descriptor is the same one: the report closed what it opened.
        let again = try world.program(byID: 1)
        #expect(again == probe)
        try world.close(again)
    }

    @Test func textIsOneBlockPerDeviceWithHooksInOrder() throws {
        let world = try Worlds.world(.embedded, running: Worlds.vethScript)
        defer { world.shutdown() }
        let text = try NetReport.build(from: world).text
        #expect(text == """
            lo(1) loopback
                tcx/ingress rev 1: -
                tcx/egress rev 2: tc3(3)
            veth1(2) veth peer veth0(3)
                tcx/ingress rev 1: -
                tcx/egress rev 1: -
            veth0(3) veth peer veth1(2)
                tcx/ingress rev 4: tc1(1), tc3(3) link(2), tc2(2) link(1)
                tcx/egress rev 1: -
            classic tc: not shown (the tcx API of an embedded world has no classic tc query)
            """)
    }
}
