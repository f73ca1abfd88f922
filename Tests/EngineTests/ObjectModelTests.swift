import BPFCore
import Engine
import TCX
import Testing

/// The kernel's object model (spec §1): handles, dup, ids, references, defunct links.
@Suite struct ObjectModelTests {
    let world = EmbeddedSystem()
    let ingress = HookTarget(ifindex: 1, attachType: .tcxIngress)

    func errno(_ body: () throws -> Void) -> LinuxErrno? {
        do { try body(); return nil } catch { return (error as? TCXError)?.errno ?? LinuxErrno(rawValue: 0) }
    }

    @Test func aDuplicatedHandleKeepsTheLinkAlive() throws {
        let program = try world.loadProgram(.returning(-1, name: "p"))
        let link = try world.link(program, to: ingress)
        let copy = try world.duplicate(link)
        #expect(copy != link)
        try world.close(link)
        #expect(try world.state(of: ingress).entries.count == 1, "the dup still holds the open file")
        try world.close(copy)
        #expect(try world.state(of: ingress).entries.isEmpty)
        #expect(errno { try world.close(copy) } == .EBADF)
    }

    @Test func programsStayWhileAttachedInProgMode() throws {
        let program = try world.loadProgram(.returning(-1, name: "p"))
        let id = try world.programInfo(program).id
        try world.attach(program, to: ingress)
        try world.close(program)
        // The attachment's reference keeps the program; its id is still found.
        let again = try world.program(byID: id)
        try world.detach(again, from: ingress)
        try world.close(again)
        #expect(errno { _ = try world.program(byID: id) } == .ENOENT)
    }

    @Test func failedLinkCreatesConsumeIds() throws {
        let program = try world.loadProgram(.returning(-1, name: "p"))
        let first = try world.linkInfo(try world.link(program, to: ingress)).id
        #expect(errno { _ = try world.link(program, to: ingress) } == .EEXIST)
        let other = try world.loadProgram(.returning(-1, name: "q"))
        let third = try world.linkInfo(try world.link(other, to: ingress)).id
        #expect(third == first + 2)
    }

    @Test func defunctLinksAnswerLikeTheKernel() throws {
        let (a, _) = try world.createVeth(name: "a", peer: "b")
        let target = HookTarget(ifindex: a, attachType: .tcxEgress)
        let program = try world.loadProgram(.returning(-1, name: "p"))
        let link = try world.link(program, to: target)
        let id = try world.linkInfo(link).id
        try world.deleteDevice(ifindex: a)
        let info = try world.linkInfo(link)
        #expect(info.ifindex == 0)
        #expect(info.programID == (try world.programInfo(program).id))
        #expect(errno { try world.update(link, to: program) } == .ENOLINK)
        try world.detachLink(link)  // always fine, even when defunct
        let byID = try world.link(byID: id)  // defunct links are still found by id
        try world.close(link)
        try world.close(byID)
        #expect(errno { _ = try world.link(byID: id) } == .ENOENT)
        #expect(errno { _ = try world.state(of: target) } == .ENODEV)
    }

    @Test func infoOnAClosedHandleIsEBADFD() throws {
        let program = try world.loadProgram(.returning(-1, name: "p"))
        try world.close(program)
        #expect(errno { _ = try world.programInfo(program) } == .EBADFD)
        #expect(errno { _ = try world.programInfo(Handle(rawValue: 0)) } == .EINVAL)
    }

    @Test func aRefusedProgramLoadNamesTheInstruction() {
        // r0 = r5 (never written); exit: the verifier refuses the read of r5.
        let spec = ProgramSpec(name: "bad", instructions: [0xbf, 0x50, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0])
        do {
            _ = try world.loadProgram(spec)
            Issue.record("an uninitialised read must be refused")
        } catch {
            #expect(error.errno == .EACCES || error.errno == .EINVAL)
            #expect(error.reason.contains("0"), "\(error.reason)")
        }
    }
}
