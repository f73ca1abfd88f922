import LinuxKernel
import SwiftTCX
import TCXConformance
import Testing

/// The refusal explainer on the real kernel: the kernel only answers an errno; the engine,
/// replaying the request on a copy of the hook, must refuse with the same one and name the
/// kernel's ids and positions.
@Suite(needsKernel)
struct KernelRefusalExplanationTests {
    typealias Support = KernelTestSupport
    let ingress = KernelTestSupport.loIngress
    let egress = KernelTestSupport.loEgress

    /// lo ingress holds, in order: p0 (prog mode), p1 (link), p2 (prog mode), p3 (link).
    /// p4 and p5 are loaded and attached nowhere.
    struct Hook {
        var programs: [Handle] = []
        var ids: [UInt32] = []
        var links: [Handle] = []
        var linkIDs: [UInt32] = []

        init(_ world: KernelSystem, _ target: HookTarget) throws {
            for index in 0..<6 {
                let handle = try world.loadProgram(.returning(Verdict.next.rawValue, name: "k\(index)"))
                programs.append(handle)
                ids.append(try world.programInfo(handle).id)
            }
            for index in 0..<4 {
                if index % 2 == 1 {
                    let link = try world.link(programs[index], to: target)
                    links.append(link)
                    linkIDs.append(try world.linkInfo(link).id)
                } else {
                    try world.attach(programs[index], to: target)
                }
            }
        }
    }

    private func refused(_ body: () throws(TCXError) -> Void) throws -> TCXError {
        do throws(TCXError) {
            try body()
        } catch {
            return error
        }
        Issue.record("the kernel accepted a request the test expected it to refuse")
        throw TCXError(.EINVAL, "accepted")
    }

    /// The engine agrees with the kernel's errno and the text names every fragment.
    private func expectExplained(_ explanation: RefusalExplanation, _ errno: LinuxErrno, naming fragments: [String],
                                 sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(explanation.errno == errno, "\(explanation)", sourceLocation: sourceLocation)
        #expect(explanation.engineErrno == errno, "\(explanation)", sourceLocation: sourceLocation)
        #expect(explanation.agrees, sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(explanation.text.contains(fragment), "missing '\(fragment)' in\n\(explanation)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func everyMprogRefusalOnAMixedHook() throws {
        try Support.withWorld { (world) throws in
            let h = try Hook(world, ingress)
            let revision = try world.state(of: ingress).revision

            let twice = RawAttach(program: h.programs[1].rawValue, target: ingress)
            expectExplained(world.explainRefusal(of: twice, error: try refused { () throws(TCXError) in try world.attach(twice) }),
                            .EEXIST, naming: ["program k1 (id \(h.ids[1])) is already attached at position 1",
                                              "1  program id \(h.ids[1])  link id \(h.linkIDs[0])"])

            let absent = RawAttach(program: h.programs[4].rawValue, target: ingress,
                                   flags: (AttachFlags.after.rawValue | AttachFlags.id.rawValue), relative: h.ids[5])
            expectExplained(world.explainRefusal(of: absent, error: try refused { () throws(TCXError) in try world.attach(absent) }),
                            .ENOENT, naming: ["the relative object program k5 (id \(h.ids[5])) is not attached here"])

            let owned = RawDetach(program: h.programs[3].rawValue, target: ingress)
            expectExplained(world.explainRefusal(of: owned, error: try refused { () throws(TCXError) in try world.detach(owned) }),
                            .EBUSY, naming: ["program k3 (id \(h.ids[3])) at position 3 is owned by a link",
                                             "detach the link instead"])

            let both = RawLinkCreate(program: h.programs[4].rawValue, target: ingress,
                                     flags: AttachFlags([.before, .after, .link]).rawValue, relative: h.links[0].rawValue)
            expectExplained(world.explainRefusal(of: both, error: try refused { () throws(TCXError) in _ = try world.createLink(both) }),
                            .ERANGE, naming: ["before link \(h.linkIDs[0]) puts it at 0, after link \(h.linkIDs[0]) puts it at 2: they disagree"])

            let alone = RawAttach(program: h.programs[4].rawValue, target: ingress, relative: h.programs[0].rawValue)
            expectExplained(world.explainRefusal(of: alone, error: try refused { () throws(TCXError) in try world.attach(alone) }),
                            .EINVAL, naming: ["needs before, after or replace"])

            let stale = RawAttach(program: h.programs[4].rawValue, target: ingress, expectedRevision: revision - 1)
            expectExplained(world.explainRefusal(of: stale, error: try refused { () throws(TCXError) in try world.attach(stale) }),
                            .ESTALE, naming: ["expected revision \(revision - 1), but the hook is at \(revision)",
                                              "at revision \(revision), 4 entries", "re-read the revision and retry"])

            let wrongOld = RawLinkUpdate(link: h.links[1].rawValue, newProgram: h.programs[4].rawValue,
                                         flags: bpfFReplace, oldProgram: h.programs[1].rawValue)
            expectExplained(world.explainRefusal(of: wrongOld, error: try refused { () throws(TCXError) in try world.updateLink(wrongOld) }),
                            .EPERM, naming: ["link \(h.linkIDs[1]) runs program \(h.ids[3]), not program k1 (id \(h.ids[1]))"])

            let closed = RawAttach(program: 40_000, target: ingress)
            expectExplained(world.explainRefusal(of: closed, error: try refused { () throws(TCXError) in try world.attach(closed) }),
                            .EBADF, naming: ["fd 40000 is not open"])
            #expect(try world.state(of: ingress).revision == revision, "explaining changed the hook")
        }
    }

    @Test func aFullHookOfSixtyThree() throws {
        try Support.withWorld { (world) throws in
            var links: [Handle] = []
            var handles: [Handle] = []
            for index in 0..<64 {
                handles.append(try world.loadProgram(.returning(Verdict.next.rawValue, name: "f\(index)")))
            }
            for (index, handle) in handles.prefix(63).enumerated() {
                if index % 4 == 0 { links.append(try world.link(handle, to: egress)) } else { try world.attach(handle, to: egress) }
            }
            let insert = RawAttach(program: handles[63].rawValue, target: egress,
                                   flags: AttachFlags.before.rawValue, relative: handles[62].rawValue)
            let explanation = world.explainRefusal(of: insert, error: try refused { () throws(TCXError) in try world.attach(insert) })
            expectExplained(explanation, .ERANGE, naming: ["the hook already holds 63 entries", "63 entries",
                                                           "the hook is full (63 entries)"])
            #expect(explanation.hook?.entries.count == 63)
            let last = RawDetach(program: 0, target: egress, flags: AttachFlags.after.rawValue)
            expectExplained(world.explainRefusal(of: last, error: try refused { () throws(TCXError) in try world.detach(last) }),
                            .ERANGE, naming: ["the last slot of a full hook"])
            print("kernel full-hook explanation:\n\(explanation)")
        }
    }

    @Test func explainingLeavesTheKernelWorldAsItWas() throws {
        try Support.withWorld { (world) throws in
            let h = try Hook(world, ingress)
            let fds = (h.programs + h.links).map(\.rawValue)
            let before = WorldSnapshot.take(world, fds: fds)
            for flags: AttachFlags in [[], [.before, .id], [.after, .link, .id], [.replace], [.before, .after]] {
                let request = RawAttach(program: h.programs[2].rawValue, target: ingress, flags: flags.rawValue,
                                        replaceProgram: h.programs[3].rawValue, relative: h.ids[5])
                if let error = try? refused({ () throws(TCXError) in try world.attach(request) }) {
                    _ = world.explainRefusal(of: request, error: error)
                }
            }
            #expect(WorldSnapshot.take(world, fds: fds) == before)
        }
    }

    @Test(arguments: 0..<3)
    func randomRefusalsAgreeWithTheKernel(seed: UInt64) throws {
        try Support.withWorld { (world) throws in
            let (veth, _) = try world.createVeth(name: "ex0", peer: "ex1")
            let targets = [ingress, egress, HookTarget(ifindex: veth, attachType: .tcxIngress)]
            var pool = try RandomRequests.makePool(in: world, targets: targets)
            var generator = RandomRequests(seed: 100 + seed)
            var refused = 0
            var agreed = 0
            var disagreements: [String] = []
            for _ in 0..<250 {
                let request = generator.next(pool) { target in (try? world.state(of: target).revision) ?? 1 }
                guard let error = RandomRequests.send(request, to: world, pool: &pool) else { continue }
                refused += 1
                let explanation = world.explainRefusal(of: RefusedRequest(request), error: error)
                if explanation.agrees { agreed += 1 } else { disagreements.append(explanation.text) }
            }
            print("seed \(100 + seed): the engine agreed with the kernel's errno on \(agreed) of \(refused) refusals")
            #expect(refused > 100)
            #expect(disagreements.isEmpty, "\(disagreements.count) of \(refused):\n\(disagreements.prefix(3).joined(separator: "\n\n"))")
        }
    }
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
