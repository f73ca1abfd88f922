import ArgumentParser
import BPFCore
import BPFVM
import Engine
import TCX

#if canImport(Glibc)
import Glibc
#endif

/// `tcx bench datapath`: frames per second through tcx chains of several lengths and worker
/// counts on the embedded engine, what an empty hook and each extra program cost per frame,
/// and attach/detach latency while the workers keep sending.
struct DatapathBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datapath",
        abstract: "Packets per second through tcx chains (embedded engine), per-program cost, update latency under traffic.")

    @Option(help: "Seconds of traffic per measurement.") var seconds = 1.0
    @Option(parsing: .upToNextOption, help: "Chain lengths (programs on the hook).") var chains = [0, 1, 3, 10]
    @Option(parsing: .upToNextOption, help: "Datapath worker thread counts.") var workers = [1, 2]
    @Option(help: "Attach+detach rounds per worker count for the update latency.") var updates = 2_000
    @Flag(help: "Send with `send`, which records each frame's path (hooks and programs), not `forward` (its fate only).")
    var recordPaths = false
    @Option(help: "What runs the programs: interpreter, jit, or both side by side (both where the JIT exists).")
    var executor = "both"

    /// The executors measured, each in its own columns of one run.
    private var kinds: [ExecutorKind] {
        guard executor == "both" else { return [ExecutorKind(rawValue: executor) ?? .selected] }
        return ExecutorKind.jitAvailable ? [.interpreter, .jit] : [.interpreter]
    }

    func validate() throws {
        guard seconds > 0, updates > 0, !chains.isEmpty, !workers.isEmpty,
              chains.allSatisfy({ (0...63).contains($0) }), workers.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("seconds and updates must be positive, chains 0...63, workers at least 1")
        }
        guard executor == "both" || ExecutorKind(rawValue: executor) != nil else {
            throw ValidationError("--executor is interpreter, jit or both")
        }
    }

    func run() throws {
        let names = kinds.map { $0 == .jit && !ExecutorKind.jitAvailable ? "interpreter (no JIT on this platform)" : $0.rawValue }
        print("embedded datapath (\(names.joined(separator: ", "))): a 64-byte IPv4 frame into a veth's tcx ingress, every program returning NEXT,")
        print("\(seconds) s per cell; frames per second in all workers (CPU ns per frame: the workers' CPU time over the frames);")
        print(recordPaths ? "each frame's path recorded (send)" : "each frame's fate only (forward; --record-paths records the path)")
        print("")
        print(pad("programs", 10) + kinds.flatMap { kind in
            workers.map { pad("\(kind.rawValue), \($0) worker\($0 == 1 ? "" : "s")", 26) }
        }.joined())
        // Executor -> chain length -> ns per frame with the fewest workers.
        var nsPerFrame: [ExecutorKind: [Int: Double]] = [:]
        for length in chains {
            var line = pad("\(length)", 10)
            for kind in kinds {
                for count in workers {
                    let bench = try Bench(programs: length, executor: kind, recordPaths: recordPaths)
                    let (rate, perFrame) = bench.framesPerSecond(workers: count, seconds: seconds)
                    bench.world.shutdown()
                    if count == workers.min() { nsPerFrame[kind, default: [:]][length] = perFrame }
                    line += pad("\(Int(rate)) (\(Int(perFrame.rounded())) ns)", 26)
                }
            }
            print(line)
        }
        print("")
        var extra: [ExecutorKind: Double] = [:]
        for kind in kinds {
            print("\(kind.rawValue):")
            extra[kind] = summarise(nsPerFrame[kind] ?? [:])
        }
        if let interpreter = extra[.interpreter], let jit = extra[.jit], jit > 0 {
            print("each extra program, interpreter/jit: \((interpreter / jit * 100).rounded() / 100)")
        }
        print("")
        print("update latency with workers sending through a chain of 3 (attach, then detach, of a 4th program; \((kinds.last ?? .selected).rawValue)):")
        print(pad("workers", 10) + pad("attach p50", 14) + pad("p99", 12) + pad("detach p50", 14) + "p99")
        for count in workers {
            let bench = try Bench(programs: 3, executor: kinds.last ?? .selected, recordPaths: recordPaths)
            let (attach, detach) = try bench.updateLatency(workers: count, rounds: updates)
            bench.world.shutdown()
            print(pad("\(count)", 10) + pad(formatNanoseconds(attach.median), 14) + pad(formatNanoseconds(attach.p99), 12)
                  + pad(formatNanoseconds(detach.median), 14) + formatNanoseconds(detach.p99))
        }
    }

    /// Prints what an empty hook, the first and each extra program cost on one executor; returns
    /// the last (nil with fewer than two chain lengths).
    private func summarise(_ nsPerFrame: [Int: Double]) -> Double? {
        if let empty = nsPerFrame[0] { print("  empty hook: \(Int(empty.rounded())) CPU ns per frame (the whole send: device, hook, delivery)") }
        if let empty = nsPerFrame[0], let one = nsPerFrame[1] {
            print("  the first program: \(Int((one - empty).rounded())) CPU ns more (the frame's skb and run object prepared)")
        }
        // Over the chains that run programs: a frame no program sees takes a shorter way
        // (no skb prepared), so the empty hook is not a point on the same line.
        let withPrograms = nsPerFrame.filter { $0.key > 0 }
        guard let slope = Self.slope(withPrograms.count >= 2 ? withPrograms : nsPerFrame) else { return nil }
        print("  each extra program: \(Int(slope.rounded())) CPU ns per frame (least squares over the chain lengths with programs)")
        return slope
    }

    /// ns per extra program: the slope of a least-squares line through (length, ns per frame).
    static func slope(_ points: [Int: Double]) -> Double? {
        guard points.count >= 2 else { return nil }
        let n = Double(points.count)
        let meanX = points.keys.reduce(0.0) { $0 + Double($1) } / n
        let meanY = points.values.reduce(0.0, +) / n
        let covariance = points.reduce(0.0) { $0 + (Double($1.key) - meanX) * ($1.value - meanY) }
        let variance = points.keys.reduce(0.0) { $0 + (Double($1) - meanX) * (Double($1) - meanX) }
        return variance > 0 ? covariance / variance : nil
    }
}

/// One world: a veth pair a/b with `programs` NEXT programs on b's tcx ingress.
private struct Bench: Sendable {
    let world: EmbeddedSystem
    let device: UInt32
    let target: HookTarget
    static let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 50, 0, 1, 0x40, 0, 64, 17]
        + [UInt8](repeating: 0, count: 40)

    let recordPaths: Bool

    init(programs: Int, executor: ExecutorKind, recordPaths: Bool) throws {
        self.recordPaths = recordPaths
        world = EmbeddedSystem(executor: executor)
        let (_, b) = try world.createVeth(name: "a", peer: "b")
        device = b
        target = HookTarget(ifindex: b, attachType: .tcxIngress)
        for index in 0..<programs {
            let program = try world.loadProgram(.returning(Verdict.next.rawValue, name: "p\(index)"))
            try world.attach(program, to: target)
        }
    }

    /// Frames per second (wall time) and CPU ns per frame (the workers' CPU time).
    func framesPerSecond(workers: Int, seconds: Double) -> (rate: Double, cpuPerFrame: Double) {
        // The frame read once here: a static's lazy initialisation check and a retain and release
        // of the array per frame were the bench's cost, not the datapath's.
        let (world, device, recordPaths, frame) = (self.world, self.device, self.recordPaths, Self.frame)
        let start = nowNanoseconds()
        let threads = WorkerThreads(count: workers) {
            if recordPaths {
                _ = world.send(frame, device: device, .ingress)
            } else {
                _ = world.forward(frame, device: device, .ingress)
            }
        }
        usleep(UInt32(seconds * 1_000_000))
        let frames = threads.stop()
        let elapsed = Double(nowNanoseconds() - start) / 1e9
        return (Double(frames) / elapsed, frames > 0 ? Double(threads.cpuNanoseconds) / Double(frames) : 0)
    }

    func updateLatency(workers: Int, rounds: Int) throws -> (attach: LatencySamples, detach: LatencySamples) {
        let (world, device) = (self.world, self.device)
        let extra = try world.loadProgram(.returning(Verdict.next.rawValue, name: "extra"))
        let threads = WorkerThreads(count: workers) { _ = world.send(Self.frame, device: device, .ingress) }
        defer { _ = threads.stop() }
        var attach = LatencySamples(), detach = LatencySamples()
        for _ in 0..<rounds {
            var start = nowNanoseconds()
            try world.attach(extra, to: target)
            attach.record(start, nowNanoseconds())
            start = nowNanoseconds()
            try world.detach(extra, from: target)
            detach.record(start, nowNanoseconds())
        }
        return (attach, detach)
    }
}
