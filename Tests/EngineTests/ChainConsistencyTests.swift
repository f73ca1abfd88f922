import Atomics
import BPFCore
import Engine
import TCX
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Datapath readers run a hook's chain while the control plane changes it: every run must see
/// one whole published chain, never a mix of two.
@Suite struct ChainConsistencyTests {
    @Test func readersSeeWholeChainsWhileTheHookChanges() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let target = HookTarget(ifindex: 1, attachType: .tcxIngress)
        var handles: [String: Handle] = [:]
        var ids: [String: UInt32] = [:]
        for name in ["a", "b", "c", "d"] {
            let handle = try world.loadProgram(.returning(Verdict.next.rawValue, name: name))
            handles[name] = handle
            ids[name] = try world.programInfo(handle).id
        }
        func chain(_ names: String...) -> [UInt32] { names.map { ids[$0]! } }
        // The states the control loop below moves through, in order.
        let valid: Set<[UInt32]> = [chain(), chain("a"), chain("a", "b"), chain("a", "b", "c"),
                                    chain("a", "d", "c"), chain("a", "d")]
        try world.attach(handles["a"]!, to: target)
        try world.attach(handles["b"]!, to: target)
        try world.attach(handles["c"]!, to: target)

        let reader = try world.chain(for: target)
        let stop = ManagedAtomic(false)
        let runs = ManagedAtomic(0)
        let torn = ManagedAtomic(0)
        let packet = [UInt8](repeating: 0, count: 60)
        let readers = TestThreads(count: 2) {
            while !stop.load(ordering: .relaxed) {
                guard let result = try? reader.run(packet: packet) else { continue }
                if !valid.contains(result.trace) { torn.wrappingIncrement(ordering: .relaxed) }
                runs.wrappingIncrement(ordering: .relaxed)
            }
        }
        // Let the readers get going before the hook starts changing under them.
        while runs.load(ordering: .relaxed) < 100 { sched_yield() }
        var failure: (any Error)?
        do {
            for _ in 0..<2_000 {
                try world.replace(handles["b"]!, with: handles["d"]!, on: target)  // [a, d, c]
                try world.detach(handles["c"]!, from: target)                       // [a, d]
                try world.attach(handles["c"]!, to: target)                         // [a, d, c]
                try world.replace(handles["d"]!, with: handles["b"]!, on: target)  // [a, b, c]
            }
        } catch {
            failure = error
        }
        stop.store(true, ordering: .relaxed)
        readers.join()
        if let failure { throw failure }
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(runs.load(ordering: .relaxed) > 0)
        #expect(try world.state(of: target).revision == 4 + 8_000)
    }
}
