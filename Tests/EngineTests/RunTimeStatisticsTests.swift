import BPFCore
import Engine
import TCX
import Testing

/// Datapath runs are timed while `RunTimeStatistics` is enabled, and always counted. (That
/// they are not timed otherwise cannot be asserted here: the switch is process-wide, as the
/// kernel's `bpf_stats_enabled` is, and other suites running meanwhile may hold it.)
@Suite struct RunTimeStatisticsTests {
    @Test func runsAreTimedWhileEnabledAndCountedAlways() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let (a, _) = try world.createVeth(name: "a", peer: "b")
        let program = try world.loadProgram(.returning(0, name: "pass"))
        try world.attach(program, to: HookTarget(ifindex: a, attachType: .tcxIngress))
        let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0x45, count: 28)

        _ = world.send(frame, device: a, .ingress)
        RunTimeStatistics.whileEnabled {
            for _ in 0 ..< 100 { _ = world.send(frame, device: a, .ingress) }
        }
        let statistics = try world.statistics(program: program)
        #expect(statistics.runs == 101 && statistics.pass == 101)
        #expect(statistics.nanoseconds > 0, "100 timed runs took some time")
    }
}
