import BPFCore
import Engine
import TCX
import Testing

/// The mode-aware attach on the embedded backend: head/tail as priorities, refusals with their
/// reasons, detach in each mode, the merged listing, and frames through what it attached.
/// (The same requests on the kernel, compared line by line: LinuxKernelTests/ClassicTCTests.)
@Suite struct ClassicAttachTests {
    let world = EmbeddedSystem()
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

    private func veth() throws -> HookTarget {
        let (a, _) = try world.createVeth(name: "a", peer: "b")
        return HookTarget(ifindex: a, attachType: .tcxIngress)
    }

    private func program(_ name: String, returning value: Int32 = -1) throws -> (Handle, UInt32) {
        let handle = try world.loadProgram(.returning(value, name: name))
        return (handle, try world.programInfo(handle).id)
    }

    private func errno(_ body: () throws(TCXError) -> Void) -> LinuxErrno? {
        do throws(TCXError) {
            try body()
            return nil
        } catch {
            return error.errno
        }
    }

    @Test func theEmbeddedBackendHasEveryFeatureSoAutoIsTCX() throws {
        #expect(world.hookFeatures == HookFeatures(tcx: true, tcxLinks: true, netkit: true))
        #expect(world.resolved(.auto) == .tcx && world.resolved(.tc) == .tc)
        let ingress = try veth()
        let (p, id) = try program("p")
        #expect(try world.attach(p, to: ingress, mode: .auto) == .tcx)
        let merged = try world.attachments(on: ingress)
        #expect(merged.tcx?.entries.map(\.programID) == [id] && merged.classic.isEmpty)
    }

    @Test func headAndTailBecomePrioritiesAroundTheMiddle() throws {
        let ingress = try veth()
        let (a, idA) = try program("a"), (b, idB) = try program("b"), (c, idC) = try program("c")
        let (other, idOther) = try program("other"), (d, idD) = try program("d")
        #expect(try world.attach(a, to: ingress, at: .head, mode: .tc) == .tc(priority: 32768, handle: 1))
        #expect(try world.attach(b, to: ingress, at: .tail, mode: .tc) == .tc(priority: 32769, handle: 1))
        #expect(try world.attach(c, to: ingress, at: .head, mode: .tc) == .tc(priority: 32767, handle: 1))
        // Another tool's filter low down: head goes below it.
        try world.addClassicFilter(other, on: ingress, priority: 100, handle: 7, name: "theirs")
        #expect(try world.attach(d, to: ingress, at: .head, mode: .tc) == .tc(priority: 99, handle: 1))

        let filters = try world.classicFilters(on: ingress)
        #expect(filters.map(\.priority) == [99, 100, 32767, 32768, 32769])
        #expect(filters.map(\.programID) == [idD, idOther, idC, idA, idB])
        #expect(filters.map(\.name) == ["d:[\(idD)]", "theirs", "c:[\(idC)]", "a:[\(idA)]", "b:[\(idB)]"])
        #expect(filters.allSatisfy { $0.kind == "bpf" && $0.directAction })
        // The datapath runs them in that order (each returns UNSPEC, so every one runs).
        let path = world.send(frame, device: ingress.ifindex, .ingress)
        #expect(path.hooks.map(\.trace) == [[idD, idOther, idC, idA, idB]])
    }

    @Test func theEndsOfTheRangeAreRefusedWithTheReason() throws {
        let ingress = try veth()
        let (p, _) = try program("p"), (edge, _) = try program("edge")
        try world.addClassicFilter(edge, on: ingress, priority: 65535, handle: 1, name: "top")
        let tail = try #require(throws: TCXError.self) { try world.attach(p, to: ingress, at: .tail, mode: .tc) }
        #expect(tail.errno == .ERANGE && tail.reason.contains("priority 65535, the highest"))
        try world.addClassicFilter(edge, on: ingress, priority: 1, handle: 1, name: "bottom")
        let head = try #require(throws: TCXError.self) { try world.attach(p, to: ingress, at: .head, mode: .tc) }
        #expect(head.errno == .ERANGE && head.reason.contains("priority 1, the lowest"))
        #expect(try world.classicFilters(on: ingress).map(\.priority) == [1, 65535])
    }

    @Test func classicTCCannotPlaceRelativelyOrCheckRevisionsOrLink() throws {
        let ingress = try veth()
        let (first, _) = try program("first"), (second, _) = try program("second")
        try world.attach(first, to: ingress, mode: .tc)
        let link = try world.link(first, to: HookTarget(ifindex: ingress.ifindex, attachType: .tcxEgress), mode: .tcx)
        let before = try world.classicFilters(on: ingress)
        let anchors: [Anchor] = [.before(.program(first)), .after(.program(first)), .before(.link(link)), .after(.linkID(1))]
        for anchor in anchors {
            let error = try #require(throws: TCXError.self) { try world.attach(second, to: ingress, at: anchor, mode: .tc) }
            #expect(error.errno == .EOPNOTSUPP)
            #expect(error.reason.contains("classic tc has no relative placement (filters run by priority alone)"))
        }
        let revision = try #require(throws: TCXError.self) {
            try world.attach(second, to: ingress, mode: .tc, expectedRevision: 3)
        }
        #expect(revision.errno == .EOPNOTSUPP)
        #expect(revision.reason.contains("expected revision 3 in tc mode: classic tc has no revisions; they need tcx, Linux 6.6+"))
        let linked = try #require(throws: TCXError.self) { try world.link(second, to: ingress, mode: .tc) }
        #expect(linked.errno == .EOPNOTSUPP && linked.reason.contains("classic tc has no links"))
        #expect(try world.classicFilters(on: ingress) == before)
        #expect(try world.state(of: ingress).entries.isEmpty)
    }

    @Test func detachInEachModeAndAutoWhereverItIs() throws {
        let ingress = try veth()
        let (p, id) = try program("p"), (q, idQ) = try program("q")
        try world.attach(p, to: ingress, mode: .tcx)
        try world.attach(q, to: ingress, mode: .tc)
        try world.attach(p, to: ingress, mode: .tc)
        try world.attach(p, to: ingress, at: .head, mode: .tc)
        #expect(try world.attachments(on: ingress).programIDs == [id, id, idQ, id])

        #expect(try world.detach(program: p, from: ingress, mode: .tc)
                == [.tc(priority: 32767, handle: 1), .tc(priority: 32769, handle: 1)])
        #expect(try world.attachments(on: ingress).programIDs == [id, idQ])
        #expect(errno { () throws(TCXError) in _ = try world.detach(program: p, from: ingress, mode: .tc) } == .ENOENT)
        #expect(try world.detach(program: p, from: ingress, mode: .auto) == [.tcx])
        #expect(errno { () throws(TCXError) in _ = try world.detach(program: p, from: ingress, mode: .auto) } == .ENOENT)
        #expect(errno { () throws(TCXError) in _ = try world.detach(program: p, from: ingress, mode: .tcx) } == .ENOENT)
        // A link's program is the link's to detach: auto leaves it and says so.
        let link = try world.link(p, to: ingress, mode: .auto)
        let owned = try #require(throws: TCXError.self) { try world.detach(program: p, from: ingress, mode: .auto) }
        #expect(owned.errno == .ENOENT && owned.reason.contains("neither attached to tcx (without a link)"))
        try world.close(link)
        #expect(try world.detach(program: q, from: ingress, mode: .auto) == [.tc(priority: 32768, handle: 1)])
        let merged = try world.attachments(on: ingress)
        #expect(merged.tcx?.entries == [] && merged.classic.isEmpty)
    }

    @Test func tcxRunsFirstThenTheFiltersWhenItEndsInNext() throws {
        let ingress = try veth()
        let (next, idNext) = try program("next", returning: -1)
        let (shot, idShot) = try program("shot", returning: 2)
        try world.attach(shot, to: ingress, mode: .tc)
        try world.attach(next, to: ingress, mode: .tcx)
        #expect(try world.attachments(on: ingress).programIDs == [idNext, idShot])
        let path = world.send(frame, device: ingress.ifindex, .ingress)
        #expect(path.hooks.map(\.trace) == [[idNext], [idShot]])
        #expect(path.fate == .dropped(ifindex: ingress.ifindex, reason: "classic tc shot"))
        try world.detach(program: shot, from: ingress, mode: .tc)
        #expect(world.send(frame, device: ingress.ifindex, .ingress).fate == .delivered(ifindex: ingress.ifindex))
    }

    @Test func newerFiltersOfOnePriorityRunFirstAsInCLSBPF() throws {
        let ingress = try veth()
        let (p, idP) = try program("p"), (q, idQ) = try program("q")
        try world.addClassicFilter(p, on: ingress, priority: 10, handle: 1, name: "p")
        try world.addClassicFilter(q, on: ingress, priority: 10, handle: 2, name: "q")
        try world.addClassicFilter(p, on: ingress, priority: 5, handle: 3, name: "p5")
        #expect(try world.classicFilters(on: ingress).map(\.handle) == [3, 2, 1])
        #expect(world.send(frame, device: ingress.ifindex, .ingress).hooks.map(\.trace) == [[idP, idQ, idP]])
    }

    @Test func aFilterHoldsItsProgramUntilRemoved() throws {
        let ingress = try veth()
        let (p, id) = try program("p")
        try world.attach(p, to: ingress, mode: .tc)
        try world.close(p)
        #expect(try world.classicFilters(on: ingress).map(\.programID) == [id])
        let again = try world.program(byID: id)
        try world.detach(program: again, from: ingress, mode: .tc)
        try world.close(again)
        #expect(errno { () throws(TCXError) in _ = try world.program(byID: id) } == .ENOENT, "the last holder went with the filter")
    }
}
