import Atomics
import BPFCore
import Engine
import TCX
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Worker threads push frames through a veth pair while another thread makes thousands of
/// changes to both hooks on the way (prog mode and links, attach, replace, detach, link update,
/// link close). Every frame's trace at every hook must be one whole chain that was published.
@Suite struct DatapathStressTests {
    @Test func framesSeeWholeChainsUnderThousandsOfUpdates() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let (a, b) = try world.createVeth(name: "a", peer: "b")
        let egress = HookTarget(ifindex: a, attachType: .tcxEgress)
        let ingress = HookTarget(ifindex: b, attachType: .tcxIngress)
        var programs: [Handle] = []
        var ids: [UInt32] = []
        for index in 0..<6 {
            let handle = try world.loadProgram(.returning(Verdict.next.rawValue, name: "p\(index)"))
            programs.append(handle)
            ids.append(try world.programInfo(handle).id)
        }
        // Egress cycles through [p0], [p0,p1], [p0,p2] (replace), [p2] ; ingress through link states.
        let egressStates: Set<[UInt32]> = [[], [ids[0]], [ids[0], ids[1]], [ids[0], ids[2]], [ids[2]]]
        let ingressStates: Set<[UInt32]> = [[], [ids[3]], [ids[3], ids[4]], [ids[3], ids[5]]]

        let stop = ManagedAtomic(false)
        let frames = ManagedAtomic(0)
        let torn = ManagedAtomic(0)
        let frame = [UInt8](repeating: 0xab, count: 64)
        let workers = 3
        let readers = TestThreads(count: workers) {
            while !stop.load(ordering: .relaxed) {
                let path = world.send(frame, device: a, .egress)
                for pass in path.hooks {
                    let states = pass.ifindex == a ? egressStates : ingressStates
                    if !states.contains(pass.trace) { torn.wrappingIncrement(ordering: .relaxed) }
                }
                frames.wrappingIncrement(ordering: .relaxed)
            }
        }
        while frames.load(ordering: .relaxed) < 100 { sched_yield() }
        var failure: (any Error)?
        do {
            let rounds = 1_500
            for _ in 0..<rounds {
                try world.attach(programs[0], to: egress)
                try world.attach(programs[1], to: egress)
                try world.replace(programs[1], with: programs[2], on: egress)
                try world.detach(programs[0], from: egress)
                try world.detach(programs[2], from: egress)
                let first = try world.link(programs[3], to: ingress)
                let second = try world.link(programs[4], to: ingress, at: .after(.link(first)))
                try world.update(second, to: programs[5])
                try world.close(second)
                try world.close(first)
            }
        } catch {
            failure = error
        }
        stop.store(true, ordering: .relaxed)
        readers.join()
        if let failure { throw failure }
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(frames.load(ordering: .relaxed) > workers)
        // Nothing leaks: every hook is empty and every program has exactly its handle left.
        #expect(try world.state(of: egress).entries.isEmpty)
        #expect(try world.state(of: ingress).entries.isEmpty)
        for handle in programs { try world.close(handle) }
        for id in ids { #expect(throws: TCXError.self) { _ = try world.program(byID: id) } }
    }
}
