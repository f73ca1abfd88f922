import BPFCore
import Engine
import TCX
import Testing

@Suite struct AnchorAPITests {
    let world = EmbeddedSystem()
    let ingress = HookTarget(ifindex: 1, attachType: .tcxIngress)

    func load(_ name: String, _ verdict: Verdict = .next) throws -> (Handle, UInt32) {
        let handle = try world.loadProgram(.returning(verdict.rawValue, name: name))
        return (handle, try world.programInfo(handle).id)
    }

    @Test func anchorsPlaceProgramsAndLinks() throws {
        let (a, aID) = try load("a")
        let (b, bID) = try load("b")
        let (c, cID) = try load("c")
        let (d, dID) = try load("d")
        try world.attach(a, to: ingress)
        try world.attach(b, to: ingress, at: .head)
        let link = try world.link(c, to: ingress, at: .after(.programID(aID)))
        let linkID = try world.linkInfo(link).id
        try world.attach(d, to: ingress, at: .before(.link(link)), expectedRevision: 4)
        let state = try world.state(of: ingress)
        #expect(state.revision == 5)
        #expect(state.entries.map(\.programID) == [bID, aID, dID, cID])
        #expect(state.entries.map(\.linkID) == [nil, nil, nil, linkID])
        // Prog mode cannot touch the link's slot; closing the link's last handle detaches it.
        #expect(throws: TCXError.self) { try world.replace(c, with: a, on: ingress) }
        try world.close(link)
        #expect(try world.state(of: ingress).entries.map(\.programID) == [bID, aID, dID])
    }

    @Test func refusalsCarryAReason() throws {
        let (a, _) = try load("a")
        let (b, _) = try load("b")
        let (c, _) = try load("c")
        try world.attach(a, to: ingress)
        try world.attach(b, to: ingress)
        do {
            try world.attach(RawAttach(program: c.rawValue, target: ingress, flags: AttachFlags([.replace, .before]).rawValue,
                                       replaceProgram: a.rawValue, relative: a.rawValue))
            Issue.record("replace|before a relative to a itself must fail")
        } catch {
            #expect(error.errno == .ERANGE)
            #expect(error.reason.contains("disagree"), "\(error.reason)")
        }
        do {
            try world.attach(c, to: ingress, expectedRevision: 1)
            Issue.record("a stale revision must fail")
        } catch {
            #expect(error.errno == .ESTALE)
            #expect(error.reason.contains("3"))
        }
    }

    @Test func retryingOnStaleSeesTheNewRevision() throws {
        let (a, _) = try load("a")
        let (b, _) = try load("b")
        var attempts: [UInt64] = []
        try world.retryingOnStale(ingress) { revision throws(TCXError) in
            attempts.append(revision)
            if attempts.count == 1 { try world.attach(b, to: ingress) }  // someone else changes the hook
            try world.attach(a, to: ingress, at: .head, expectedRevision: revision)
        }
        #expect(attempts == [1, 2])
        #expect(try world.state(of: ingress).revision == 3)
    }

    @Test func stateReadsEveryEntryBeyondOneBuffer() throws {
        for index in 0..<63 {
            let (program, _) = try load("p\(index)")
            try world.attach(program, to: ingress)
        }
        #expect(try world.state(of: ingress).entries.count == 63)
    }
}
