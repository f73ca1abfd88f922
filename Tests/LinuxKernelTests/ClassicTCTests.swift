import BPFCore
import Engine
import LinuxKernel
import TCX
import Testing

/// Classic tc (clsact + cls_bpf) and the mode-aware attach on the real kernel, each test in a
/// sandbox world; `tc` itself, run inside the world's namespace, confirms what the kernel holds.
@Suite(needsKernel)
struct ClassicTCTests {
    typealias Support = KernelTestSupport

    /// A sandbox world with a veth pair; `body` gets the world and `va`'s ingress.
    private func withVeth<T>(_ body: (KernelSystem, HookTarget) throws -> T) throws -> T {
        try Support.withWorld { world in
            let (a, _) = try world.createVeth(name: "va", peer: "vb")
            return try body(world, HookTarget(ifindex: a, attachType: .tcxIngress))
        }
    }

    @Test func featuresAreProbedAndAutoPicksTCX() throws {
        #expect(KernelSystem.hookFeatures.tcx && KernelSystem.hookFeatures.tcxLinks,
                "this kernel runs the tcx tests, so the probe must find tcx and its links")
        #expect(KernelSystem.hookFeatures.netkit == KernelSystem.supportsNetkit)
        try withVeth { world, ingress in
            let program = try world.loadProgram(.returning(-1, name: "auto"))
            #expect(try world.attach(program, to: ingress, mode: .auto) == .tcx)
            let id = try world.programInfo(program).id
            #expect(try world.state(of: ingress).entries.map(\.programID) == [id])
            #expect(try world.classicFilters(on: ingress).isEmpty)
        }
    }

    @Test(.enabled(if: NamespaceTools.have("nsenter", "tc"), "needs nsenter and tc"))
    func forcedTCModeIsAFilterThatTcShows() throws {
        try withVeth { world, ingress in
            let program = try world.loadProgram(.returning(0, name: "clsprog"))
            let id = try world.programInfo(program).id
            let placement = try world.attach(program, to: ingress, mode: .tc)
            #expect(placement == .tc(priority: ClassicPriorities.start, handle: 1))
            #expect(try world.state(of: ingress).entries.isEmpty, "tc mode leaves the tcx hook alone")

            let shown = try NamespaceTools.require(in: world.namespacePath, "tc", ["filter", "show", "dev", "va", "ingress"])
            #expect(shown.contains("pref 32768 bpf"))
            #expect(shown.contains("handle 0x1 clsprog:[\(id)] direct-action"))
            #expect(shown.contains("id \(id)"))
            let qdiscs = try NamespaceTools.require(in: world.namespacePath, "tc", ["qdisc", "show", "dev", "va"])
            #expect(qdiscs.contains("qdisc clsact ffff:"))
            #expect(try world.classicFilters(on: ingress) == [
                ClassicFilterInfo(kind: "bpf", priority: 32768, handle: 1, programID: id, name: "clsprog:[\(id)]",
                                  directAction: true),
            ])
        }
    }

    @Test(.enabled(if: NamespaceTools.have("nsenter", "tc"), "needs nsenter and tc"))
    func headAndTailLeaveRoomAndCountOtherToolsFilters() throws {
        try withVeth { world, ingress in
            let names = ["a", "b", "c", "d", "e"]
            let programs = try names.map { try world.loadProgram(.returning(-1, name: $0)) }
            let ids = try programs.map { try world.programInfo($0).id }
            #expect(try world.attach(programs[0], to: ingress, at: .tail, mode: .tc) == .tc(priority: 32768, handle: 1))
            #expect(try world.attach(programs[1], to: ingress, at: .tail, mode: .tc) == .tc(priority: 32769, handle: 1))
            #expect(try world.attach(programs[2], to: ingress, at: .head, mode: .tc) == .tc(priority: 32767, handle: 1))
            // Another tool's u32 filter far above: the tail goes after it.
            try NamespaceTools.require(in: world.namespacePath, "tc",
                                       ["filter", "add", "dev", "va", "ingress", "pref", "40000", "u32", "match", "u32", "0", "0"])
            #expect(try world.attach(programs[3], to: ingress, at: .tail, mode: .tc) == .tc(priority: 40001, handle: 1))
            #expect(try world.attach(programs[4], to: ingress, at: .head, mode: .tc) == .tc(priority: 32766, handle: 1))

            // u32 dumps its hash table and its key: two entries at one priority, neither with a program.
            let filters = try world.classicFilters(on: ingress)
            #expect(filters.filter { $0.kind == "u32" }.map(\.priority) == [40000, 40000])
            let bpf = filters.filter { $0.kind == "bpf" }
            #expect(bpf.map(\.priority) == [32766, 32767, 32768, 32769, 40001])
            #expect(bpf.map(\.programID) == [ids[4], ids[2], ids[0], ids[1], ids[3]])
            #expect(filters.firstIndex { $0.kind == "u32" } == 4, "the datapath meets the u32 filter between them")
            let merged = try world.attachments(on: ingress)
            #expect(merged.tcx?.entries == [])
            #expect(merged.programIDs == [ids[4], ids[2], ids[0], ids[1], ids[3]])
        }
    }

    @Test func relativeAnchorsRevisionsAndLinksAreRefusedInTCMode() throws {
        try withVeth { world, ingress in
            let first = try world.loadProgram(.returning(-1, name: "first"))
            let second = try world.loadProgram(.returning(-1, name: "second"))
            try world.attach(first, to: ingress, mode: .tc)
            let before = try world.classicFilters(on: ingress)

            for anchor in [Anchor.before(.program(first)), .after(.program(first))] {
                let error = try #require(throws: TCXError.self) {
                    try world.attach(second, to: ingress, at: anchor, mode: .tc)
                }
                #expect(error.errno == .EOPNOTSUPP)
                #expect(error.reason.contains("classic tc has no relative placement"))
                #expect(error.reason.contains("tcx, Linux 6.6+"))
            }
            let stale = try #require(throws: TCXError.self) {
                try world.attach(second, to: ingress, at: .tail, mode: .tc, expectedRevision: 1)
            }
            #expect(stale.errno == .EOPNOTSUPP && stale.reason.contains("classic tc has no revisions"))
            let link = try #require(throws: TCXError.self) { try world.link(second, to: ingress, mode: .tc) }
            #expect(link.errno == .EOPNOTSUPP && link.reason.contains("classic tc has no links"))
            #expect(try world.classicFilters(on: ingress) == before, "a refusal changes nothing")

            // The same anchor is fine in tcx mode, and auto links through tcx here.
            let linked = try world.link(second, to: ingress, mode: .auto)
            #expect(try world.linkInfo(linked).programID == (try world.programInfo(second).id))
        }
    }

    @Test func detachInEachMode() throws {
        try withVeth { world, ingress in
            let program = try world.loadProgram(.returning(-1, name: "both"))
            let id = try world.programInfo(program).id
            try world.attach(program, to: ingress, mode: .tcx)
            try world.attach(program, to: ingress, mode: .tc)
            try world.attach(program, to: ingress, at: .head, mode: .tc)
            #expect(try world.attachments(on: ingress).programIDs == [id, id, id])

            #expect(try world.detach(program: program, from: ingress, mode: .tcx) == [.tcx])
            #expect(try world.state(of: ingress).entries.isEmpty)
            #expect(try world.detach(program: program, from: ingress, mode: .tc)
                    == [.tc(priority: 32767, handle: 1), .tc(priority: 32768, handle: 1)])
            #expect(try world.classicFilters(on: ingress).isEmpty)
            #expect(Support.errno { try world.detach(program: program, from: ingress, mode: .tc) } == .ENOENT)
            #expect(Support.errno { try world.detach(program: program, from: ingress, mode: .tcx) } == .ENOENT)

            // auto removes it wherever it is, and says ENOENT when it is nowhere.
            try world.attach(program, to: ingress, mode: .tcx)
            try world.attach(program, to: ingress, mode: .tc)
            #expect(try world.detach(program: program, from: ingress, mode: .auto) == [.tcx, .tc(priority: 32768, handle: 1)])
            #expect(try world.attachments(on: ingress).programIDs.isEmpty)
            #expect(Support.errno { try world.detach(program: program, from: ingress, mode: .auto) } == .ENOENT)
        }
    }

    @Test(.enabled(if: NamespaceTools.have("nsenter", "tc"), "needs nsenter and tc"))
    func anIngressQdiscIsRefusedNotReplaced() throws {
        try withVeth { world, ingress in
            try NamespaceTools.require(in: world.namespacePath, "tc", ["qdisc", "add", "dev", "va", "ingress"])
            let program = try world.loadProgram(.returning(0, name: "p"))
            let error = try #require(throws: TCXError.self) { try world.attach(program, to: ingress, mode: .tc) }
            #expect(error.errno == .EEXIST)
            #expect(error.reason.contains("ifindex \(ingress.ifindex)") && error.reason.contains("'ingress' qdisc"))
            let qdiscs = try NamespaceTools.require(in: world.namespacePath, "tc", ["qdisc", "show", "dev", "va"])
            #expect(qdiscs.contains("qdisc ingress ffff:") && !qdiscs.contains("clsact"))
        }
    }

    @Test func bothBackendsGiveTheSameErrnosAndOrders() throws {
        let kernel = try KernelSystem()
        defer { kernel.shutdown() }
        let embedded = EmbeddedSystem()
        defer { embedded.shutdown() }
        let onKernel = try ClassicSequence.run(kernel)
        let onEngine = try ClassicSequence.run(embedded)
        #expect(onEngine == onKernel)
        #expect(onKernel.count > 20)
        // The kernel's answers are the ones checked in, so a change on either side shows.
        #expect(onKernel == ClassicSequence.expected)
    }
}
