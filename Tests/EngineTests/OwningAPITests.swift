import Glibc
import SwiftTCX
import Testing

/// The owning values (Program, Link, Map, ObjectCollection) on every backend this machine
/// has: the same test runs unchanged on the engine and, as root, on a kernel sandbox.
@Suite struct OwningAPITests {
    static let backends = TestBackends.available

    static let countersObject = TestBackends.fixture("programs/counters.o")

    let ingress = HookTarget(ifindex: 1, attachType: .tcxIngress)

    @Test(arguments: backends) func releasingALinkDetachesItAndAPinnedOneStays(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let first = try Program(loading: .returning(-1, name: "first"), in: world)
        let second = try Program(loading: .returning(-1, name: "second"), in: world)
        let firstID = try first.id, secondID = try second.id
        do {
            let owned = try first.link(to: ingress)
            #expect(try world.state(of: ingress).entries.map(\.programID) == [firstID])
            _ = owned
        }
        // The value went at the end of the scope: its link detached the program.
        #expect(try world.state(of: ingress).entries.isEmpty)

        let pinned = try second.link(to: ingress)
        let linkID = try pinned.id
        try pinned.pin(at: PinPath("kept"))
        try pinned.close()
        #expect(try world.state(of: ingress).entries.map(\.linkID) == [linkID])

        // Another owner opens the pin: same link, and only the link may change the slot.
        let reopened = try Link(pinned: PinPath("kept"), in: world)
        #expect(try reopened.id == linkID)
        try reopened.update(to: first, expecting: second)
        #expect(try world.state(of: ingress).entries.map(\.programID) == [firstID])
        #expect(throws: TCXError.self) { try reopened.update(to: second, expecting: second) }
        try reopened.detach()
        #expect(try world.state(of: ingress).entries.isEmpty)
        #expect(try reopened.info.ifindex == 0)
        try world.unpin(PinPath("kept"))
        _ = secondID
    }

    @Test(arguments: backends) func duplicatesAndHandOffsAreExplicit(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let program = try Program(loading: .returning(-1, name: "p"), in: world)
        let link = try program.link(to: ingress)
        let copy = try link.duplicate()
        try link.close()
        // The duplicate still holds the attachment.
        #expect(try world.state(of: ingress).entries.count == 1)
        let raw = copy.relinquish()
        #expect(try world.state(of: ingress).entries.count == 1)
        try world.close(raw)
        #expect(try world.state(of: ingress).entries.isEmpty)
    }

    @Test(arguments: backends) func anchorsTakeOwningValues(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let a = try Program(loading: .returning(-1, name: "a"), in: world)
        let b = try Program(loading: .returning(-1, name: "b"), in: world)
        let c = try Program(loading: .returning(-1, name: "c"), in: world)
        let link = try a.link(to: ingress)
        try b.attach(to: ingress, at: .before(link))
        let revision = try world.state(of: ingress).revision
        let cLink = try c.link(to: ingress, at: .after(b), expectedRevision: revision)
        #expect(try world.state(of: ingress).entries.map(\.programID) == [try b.id, try c.id, try a.id])
        #expect(throws: TCXError.self) { try c.attach(to: self.ingress, expectedRevision: revision) }
        try b.detach(from: ingress)
        try cLink.close()
        #expect(try world.state(of: ingress).entries.map(\.linkID) == [try link.id])
    }

    @Test(arguments: backends) func openingAPinOfAnotherKindIsRefusedAndChangesNothing(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let program = try Program(loading: .returning(-1, name: "p"), in: world)
        try program.pin(at: PinPath("prog"))
        do {
            _ = try Link(pinned: PinPath("prog"), in: world)
            Issue.record("a program pin opened as a link")
        } catch {
            #expect(error.errno == .EINVAL)
            #expect(error.reason.contains("holds a program, not a link"))
        }
        #expect(try Program(pinned: PinPath("prog"), in: world).id == program.id)
    }

    @Test(arguments: backends) func objectCollectionsGiveProgramsMapsAndGlobalData(_ backend: Backend) throws {
        let world = try backend.openWorld()
        defer { world.shutdown() }
        let collection = try ObjectCollection(file: Self.countersObject, in: world)
        #expect(collection.programs.map(\.name).contains("count_packet"))
        let counter = try collection.program("count_packet")
        #expect(try counter.info.name == "count_packet")
        // .data holds generation = 7 as the object set it.
        #expect(Array(try collection.globalData(".data").prefix(4)) == [7, 0, 0, 0])
        let frame = [UInt8](repeating: 0, count: 12) + [0x08, 0x00] + [UInt8](repeating: 0, count: 40)
        _ = try counter.testRun(packet: frame)
        _ = try counter.testRun(packet: frame)
        let bss = try collection.map(".bss")
        let packets = try #require(try bss.lookup([0, 0, 0, 0]))
        #expect(packets.prefix(8) == [2, 0, 0, 0, 0, 0, 0, 0])
        do {
            _ = try collection.program("no_such_program")
            Issue.record("a missing program loaded")
        } catch {
            #expect(error.errno == .ENOENT)
            #expect(error.reason.contains("count_packet"))
        }
    }
}
