import Engine
import SwiftTCX
import TCXConformance
import Testing

/// The refusal explainer on embedded worlds: every mprog refusal is explained by the engine's
/// rule, with the world's ids and positions, and explaining changes nothing.
@Suite struct RefusalExplanationTests {
    let ingress = HookTarget(ifindex: 1, attachType: .tcxIngress)
    let egress = HookTarget(ifindex: 1, attachType: .tcxEgress)

    /// A world whose lo ingress holds, in order: p1 (prog mode), p2 (link), p3 (prog mode).
    /// p4 is loaded and attached nowhere; `link` is p2's link.
    final class Fixture {
        let world = EmbeddedSystem()
        var programs: [Handle] = []
        var ids: [UInt32] = []
        var link = Handle.invalid
        var linkID: UInt32 = 0

        init(_ target: HookTarget) throws {
            for index in 1...4 {
                let handle = try world.loadProgram(.returning(Verdict.next.rawValue, name: "p\(index)"))
                programs.append(handle)
                ids.append(try world.programInfo(handle).id)
            }
            try world.attach(programs[0], to: target)
            link = try world.link(programs[1], to: target)
            linkID = try world.linkInfo(link).id
            try world.attach(programs[2], to: target)
        }

        deinit { world.shutdown() }
    }

    /// Sends `body`'s request, which must be refused, and explains it with `explain`.
    private func refusal(_ body: () throws(TCXError) -> Void) -> TCXError? {
        do throws(TCXError) {
            try body()
            return nil
        } catch {
            return error
        }
    }

    private func explainAttach(_ world: any TCXSystem, _ request: RawAttach) throws -> RefusalExplanation {
        let error = try #require(refusal { () throws(TCXError) in try world.attach(request) })
        return world.explainRefusal(of: request, error: error)
    }

    private func explainDetach(_ world: any TCXSystem, _ request: RawDetach) throws -> RefusalExplanation {
        let error = try #require(refusal { () throws(TCXError) in try world.detach(request) })
        return world.explainRefusal(of: request, error: error)
    }

    private func explainLink(_ world: any TCXSystem, _ request: RawLinkCreate) throws -> RefusalExplanation {
        let error = try #require(refusal { () throws(TCXError) in _ = try world.createLink(request) })
        return world.explainRefusal(of: request, error: error)
    }

    private func explainUpdate(_ world: any TCXSystem, _ request: RawLinkUpdate) throws -> RefusalExplanation {
        let error = try #require(refusal { () throws(TCXError) in try world.updateLink(request) })
        return world.explainRefusal(of: request, error: error)
    }

    /// On an embedded world the copy runs the very same rules: same errno, and the rule must be
    /// the world's own reason word for word once handles and revisions are put back.
    private func expectExplains(_ explanation: RefusalExplanation, _ errno: LinuxErrno,
                                naming fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(explanation.errno == errno, "\(explanation)", sourceLocation: sourceLocation)
        #expect(explanation.agrees, "\(explanation)", sourceLocation: sourceLocation)
        #expect(explanation.rule.map(withoutNames) == withoutNames(explanation.worldError.reason), "\(explanation)",
                sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(explanation.text.contains(fragment), "missing '\(fragment)' in\n\(explanation)",
                    sourceLocation: sourceLocation)
        }
    }

    private func raw(_ flags: AttachFlags) -> UInt32 { flags.rawValue }

    @Test func alreadyAttachedIsEEXIST() throws {
        let f = try Fixture(ingress)
        let explanation = try explainAttach(f.world, RawAttach(program: f.programs[1].rawValue, target: ingress))
        expectExplains(explanation, .EEXIST, naming: [
            "program p2 (id \(f.ids[1])) is already attached at position 1",
            "1  program id \(f.ids[1])  link id \(f.linkID)   <- program",
            "a program sits on a hook at most once",
        ])
        let relink = try explainLink(f.world, RawLinkCreate(program: f.programs[0].rawValue, target: ingress))
        expectExplains(relink, .EEXIST, naming: ["already attached at position 0"])
    }

    @Test func absentObjectsAreENOENT() throws {
        let f = try Fixture(ingress)
        let byID = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress,
                                                        flags: raw([.before, .id]), relative: 4242))
        expectExplains(byID, .ENOENT, naming: ["no program has id 4242", "relative program id 4242"])
        let notHere = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: egress,
                                                           flags: raw(.after), relative: f.programs[0].rawValue))
        expectExplains(notHere, .ENOENT, naming: ["the relative object program p1 (id \(f.ids[0])) is not attached here",
                                                  "ifindex 1 egress at revision 1, 0 entries"])
        let detach = try explainDetach(f.world, RawDetach(program: f.programs[3].rawValue, target: ingress))
        expectExplains(detach, .ENOENT, naming: ["program p4 (id \(f.ids[3])) is not attached here"])
        let empty = try explainDetach(f.world, RawDetach(program: 0, target: egress))
        expectExplains(empty, .ENOENT, naming: ["has no programs attached", "the hook is empty"])
        let replaceLink = try explainLink(f.world, RawLinkCreate(program: f.programs[3].rawValue, target: ingress,
                                                                 flags: raw(.replace)))
        expectExplains(replaceLink, .ENOENT, naming: ["a new link has nothing to replace"])
    }

    @Test func linkOwnedSlotsAreEBUSY() throws {
        let f = try Fixture(ingress)
        let detach = try explainDetach(f.world, RawDetach(program: f.programs[1].rawValue, target: ingress))
        expectExplains(detach, .EBUSY, naming: [
            "program p2 (id \(f.ids[1])) at position 1 is owned by a link; detach the link instead",
            "detach the link instead",
        ])
        let replace = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress,
                                                           flags: raw(.replace), replaceProgram: f.programs[1].rawValue))
        expectExplains(replace, .EBUSY, naming: ["at position 1 is owned by a link", "<- replace program"])
        let positional = try explainDetach(f.world, RawDetach(program: 0, target: ingress, flags: raw(.after),
                                                              relative: f.programs[0].rawValue))
        expectExplains(positional, .EBUSY, naming: ["the slot at position 1 is owned by a link"])
    }

    @Test func disagreeingPositionsAreERANGE() throws {
        let f = try Fixture(ingress)
        let both = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress,
                                                        flags: raw([.before, .after]), relative: f.programs[2].rawValue))
        expectExplains(both, .ERANGE, naming: [
            "before program p3 (id \(f.ids[2])) puts it at 1, after program p3 (id \(f.ids[2])) puts it at 3: they disagree",
            "use before or after, not both",
        ])
        let replace = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress,
                                                           flags: raw([.replace, .after, .id]), replaceProgram: f.programs[2].rawValue,
                                                           relative: f.ids[0]))
        expectExplains(replace, .ERANGE, naming: ["replace puts it at 2, after program p1 (id \(f.ids[0])) puts it at 1"])
    }

    @Test func aFullHookIsERANGE() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        var handles: [Handle] = []
        for index in 0..<64 {
            handles.append(try world.loadProgram(.returning(Verdict.next.rawValue, name: "f\(index)")))
        }
        for (index, handle) in handles.prefix(63).enumerated() {
            if index % 3 == 1 { _ = try world.link(handle, to: ingress) } else { try world.attach(handle, to: ingress) }
        }
        let insert = try explainAttach(world, RawAttach(program: handles[63].rawValue, target: ingress))
        expectExplains(insert, .ERANGE, naming: [
            "the hook already holds 63 entries, the most it can",
            "63 entries", "more", "the hook is full (63 entries): detach one first",
        ])
        #expect(insert.hook?.entries.count == 63)
        let last = try explainDetach(world, RawDetach(program: 0, target: ingress))
        expectExplains(last, .ERANGE, naming: ["the last slot of a full hook", "name the program to detach"])
    }

    @Test func flagsThatChooseNothingAreEINVAL() throws {
        let f = try Fixture(ingress)
        let relativeAlone = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress,
                                                                 relative: f.programs[0].rawValue))
        expectExplains(relativeAlone, .EINVAL, naming: ["needs before, after or replace", "give a relative object together"])
        let idAlone = try explainDetach(f.world, RawDetach(program: 0, target: ingress, flags: raw(.id), relative: f.ids[0]))
        expectExplains(idAlone, .EINVAL, naming: ["needs before or after to choose a slot"])
        let unknownBit = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress, flags: 0x40))
        expectExplains(unknownBit, .EINVAL, naming: ["are not valid for tcx or netkit"])
    }

    @Test func handlesThatDoNotResolveExplainThemselves() throws {
        let f = try Fixture(ingress)
        let xdp = try f.world.loadProgram(ProgramSpec(name: "xdp_prog", type: .xdp,
                                                     instructions: ProgramSpec.returning(2, name: "x").instructions))
        let wrongType = try explainAttach(f.world, RawAttach(program: xdp.rawValue, target: ingress))
        expectExplains(wrongType, .EINVAL, naming: ["is a xdp program; tcx and netkit hooks run sched_cls programs"])
        let linkAsProgram = try explainAttach(f.world, RawAttach(program: f.link.rawValue, target: ingress))
        expectExplains(linkAsProgram, .EINVAL, naming: ["fd \(f.link.rawValue) (link id \(f.linkID)", "is a link"])
        try f.world.close(f.programs[3])
        let closed = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress))
        expectExplains(closed, .EBADF, naming: ["program fd \(f.programs[3].rawValue) is not open",
                                                "fd \(f.programs[3].rawValue) is not open (closed already?)"])
        let relativeLink = try explainAttach(f.world, RawAttach(program: f.programs[0].rawValue, target: egress,
                                                                flags: raw([.before, .link]), relative: 0))
        expectExplains(relativeLink, .EINVAL, naming: ["no relative link"])
    }

    @Test func aStaleRevisionIsESTALE() throws {
        let f = try Fixture(ingress)
        let current = try f.world.state(of: ingress).revision
        let explanation = try explainAttach(f.world, RawAttach(program: f.programs[3].rawValue, target: ingress,
                                                               expectedRevision: current - 2))
        expectExplains(explanation, .ESTALE, naming: [
            "expected revision \(current - 2), but the hook is at \(current)",
            "re-read the revision and retry",
        ])
        let detach = try explainDetach(f.world, RawDetach(program: f.programs[0].rawValue, target: ingress,
                                                          expectedRevision: current + 5))
        expectExplains(detach, .ESTALE, naming: ["but the hook is at \(current)"])
    }

    @Test func linkUpdatesExplainTheirLinksHook() throws {
        let f = try Fixture(ingress)
        let wrongOld = try explainUpdate(f.world, RawLinkUpdate(link: f.link.rawValue, newProgram: f.programs[3].rawValue,
                                                                flags: bpfFReplace, oldProgram: f.programs[2].rawValue))
        expectExplains(wrongOld, .EPERM, naming: [
            "link \(f.linkID) runs program p2 (id \(f.ids[1])), not program p3 (id \(f.ids[2]))",
            "ifindex 1 ingress at revision", "retry with it",
        ])
        let taken = try explainUpdate(f.world, RawLinkUpdate(link: f.link.rawValue, newProgram: f.programs[0].rawValue))
        expectExplains(taken, .EEXIST, naming: ["program p1 (id \(f.ids[0])) is already attached at position 0"])
        try f.world.detachLink(f.link)
        let defunct = try explainUpdate(f.world, RawLinkUpdate(link: f.link.rawValue, newProgram: f.programs[3].rawValue))
        expectExplains(defunct, .ENOLINK, naming: ["link \(f.linkID) is detached", "create a new link"])
    }

    @Test func whatTheEngineAcceptsIsNoRuleOfTheHookOrder() throws {
        let f = try Fixture(ingress)
        // A refusal the engine cannot share: the request is fine as far as the hook order goes.
        let request = RawAttach(program: f.programs[3].rawValue, target: ingress)
        let explanation = f.world.explainRefusal(of: request, error: TCXError(.EPERM, "operation not permitted"))
        #expect(!explanation.agrees)
        #expect(explanation.engine == .accepted)
        #expect(explanation.text.contains("accepts it"))
        #expect(explanation.text.contains("so EPERM is not a rule of the hook order"))
        #expect(try f.world.state(of: ingress).entries.count == 3, "the engine copy changed, not the world")
    }

    @Test func explainingChangesNothing() throws {
        let f = try Fixture(ingress)
        let fds = Array(UInt32(3)...UInt32(40))
        let before = WorldSnapshot.take(f.world, fds: fds)
        for flags: AttachFlags in [[], [.before], [.after, .link], [.replace], [.before, .after]] {
            let request = RawAttach(program: f.programs[1].rawValue, target: ingress, flags: flags.rawValue,
                                    replaceProgram: f.programs[0].rawValue, relative: f.link.rawValue)
            if let error = refusal({ () throws(TCXError) in try f.world.attach(request) }) {
                _ = f.world.explainRefusal(of: request, error: error)
            }
        }
        #expect(WorldSnapshot.take(f.world, fds: fds) == before)
    }

    @Test(arguments: 0..<6)
    func randomRefusalsAgree(seed: UInt64) throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let targets = [ingress, egress]
        var pool = try RandomRequests.makePool(in: world, targets: targets)
        var generator = RandomRequests(seed: seed)
        var refused = 0
        var disagreements: [String] = []
        for _ in 0..<400 {
            let request = generator.next(pool) { target in (try? world.state(of: target).revision) ?? 1 }
            guard let error = RandomRequests.send(request, to: world, pool: &pool) else { continue }
            let explanation = world.explainRefusal(of: RefusedRequest(request), error: error)
            refused += 1
            if !explanation.agrees || explanation.rule.map(withoutNames) != withoutNames(explanation.worldError.reason) {
                disagreements.append(explanation.text)
            }
        }
        #expect(refused > 150)
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(refused):\n\(disagreements.prefix(3).joined(separator: "\n\n"))")
    }
}

/// "program p1 (id 3)" as "program 3": the copy knows only the names the request's handles
/// reveal, so a reason may name the others by id alone.
func withoutNames(_ reason: String) -> String {
    var words = reason.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    var index = 0
    while index + 2 < words.count {
        if words[index].hasSuffix("program"), words[index + 2].hasPrefix("(id"), index + 3 < words.count {
            let id = words[index + 3].prefix { $0.isNumber }
            words.replaceSubrange(index + 1...index + 3, with: [String(id) + words[index + 3].dropFirst(id.count + 1)])
        }
        index += 1
    }
    return words.joined(separator: " ")
}

extension RefusedRequest {
    init(_ request: RandomRequests.Request) {
        switch request {
        case .attach(let raw): self = .attach(raw)
        case .detach(let raw): self = .detach(raw)
        case .linkCreate(let raw): self = .linkCreate(raw)
        case .linkUpdate(let raw): self = .linkUpdate(raw)
        }
    }
}
