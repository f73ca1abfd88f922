import ArgumentParser
import Engine
import SwiftTCX

/// `tcx bench mprog`: attach, detach and query latency on the embedded engine (with datapath
/// readers running the same hook) and on the kernel, in one run.
struct MprogBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mprog",
        abstract: "Attach, detach and query latency (median, p99) on the embedded engine and the kernel.")

    @Option(help: "Attach/query/detach rounds on the embedded engine.") var iterations = 20_000
    @Option(help: "Rounds on the kernel (each attach and detach waits out an RCU grace period).") var kernelIterations = 200
    @Option(help: "Programs already on the hook.") var chain = 8
    @Option(help: "Datapath reader threads running the hook while the embedded engine is changed.") var readers = 1
    @Flag(help: "Skip the kernel.") var embeddedOnly = false

    struct Figures {
        var attach = LatencySamples()
        var query = LatencySamples()
        var detach = LatencySamples()
        var link = LatencySamples()
        var close = LatencySamples()
        var rows: [(String, LatencySamples)] {
            [("attach", attach), ("query", query), ("detach", detach), ("link create", link), ("link close", close)]
        }
    }

    func run() throws {
        let embedded = EmbeddedSystem()
        defer { embedded.shutdown() }
        let target = HookTarget(ifindex: 1, attachType: .tcxIngress)
        var workers: WorkerThreads?
        let (mine, readerRuns, seconds) = try measure(embedded, rounds: iterations) {
            guard readers > 0, let chain = try? embedded.chain(for: target) else { return }
            let packet = [UInt8](repeating: 0, count: 64)
            workers = WorkerThreads(count: readers) { _ = try? chain.run(packet: packet) }
        } finish: {
            workers?.stop() ?? 0
        }
        print("embedded: \(iterations) rounds on a hook of \(chain) programs, \(readers) datapath reader thread(s)")
        if readers > 0 {
            let perSecond = seconds > 0 ? Int(Double(readerRuns) / seconds) : 0
            print("  datapath readers ran the chain \(readerRuns) times meanwhile (\(perSecond) chains/s)")
        }
        var kernel: Figures?
        if !embeddedOnly {
            do {
                let world = try Backend.kernel.openWorld()
                defer { world.shutdown() }
                kernel = try measure(world, rounds: kernelIterations, start: {}, finish: { 0 }).0
                print("kernel: \(kernelIterations) rounds, same hook layout, in a private network namespace")
            } catch {
                print("kernel: not measured (\(error))")
            }
        }
        print("")
        print(pad("operation", 13) + pad("embedded p50", 14) + pad("p99", 12) + pad("kernel p50", 13) + pad("p99", 12) + "kernel/embedded (p50)")
        for (index, row) in mine.rows.enumerated() {
            var line = pad(row.0, 13) + pad(formatNanoseconds(row.1.median), 14) + pad(formatNanoseconds(row.1.p99), 12)
            if let theirs = kernel?.rows[index].1 {
                let ratio = Double(theirs.median) / Double(max(row.1.median, 1))
                line += pad(formatNanoseconds(theirs.median), 13) + pad(formatNanoseconds(theirs.p99), 12) + "\(Int(ratio.rounded()))x"
            }
            print(line)
        }
    }

    /// Attaches `chain` programs, then per round: attach one more at the tail, query, detach it,
    /// link it, close the link. `start` runs once the hook is set up, `finish` after the rounds.
    private func measure(_ world: any TCXSystem, rounds: Int, start: () throws -> Void,
                         finish: () -> Int) throws -> (Figures, Int, Double) {
        let target = HookTarget(ifindex: 1, attachType: .tcxIngress)
        for index in 0..<chain {
            let program = try world.loadProgram(.returning(Verdict.next.rawValue, name: "base\(index)"))
            try world.attach(program, to: target)
        }
        let extra = try world.loadProgram(.returning(Verdict.pass.rawValue, name: "extra"))
        try start()
        var figures = Figures()
        let began = nowNanoseconds()
        for _ in 0..<rounds {
            let t0 = nowNanoseconds()
            try world.attach(extra, to: target)
            let t1 = nowNanoseconds()
            _ = try world.query(RawQuery(target: target))
            let t2 = nowNanoseconds()
            try world.detach(extra, from: target)
            let t3 = nowNanoseconds()
            let link = try world.link(extra, to: target)
            let t4 = nowNanoseconds()
            try world.close(link)
            let t5 = nowNanoseconds()
            figures.attach.record(t0, t1)
            figures.query.record(t1, t2)
            figures.detach.record(t2, t3)
            figures.link.record(t3, t4)
            figures.close.record(t4, t5)
        }
        let elapsed = Double(nowNanoseconds() - began) / 1e9
        return (figures, finish(), elapsed)
    }
}
