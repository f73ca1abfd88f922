import BPFCore
import Engine
import Pcap
import TCX
import TCXScript

#if canImport(Glibc)
import Glibc
#endif

/// Builds an attach plan in a fresh embedded world and pushes a capture through it at every
/// phase of the plan, writing what each device delivered, sent and dropped.
public struct Replayer {
    public let plan: ReplayPlan
    public let scriptPath: String
    public let capture: ReplayCapture
    public let device: String
    public let direction: EmbeddedSystem.Direction
    /// Where the captures go: `DIR/DEV-delivered.pcap` …, in `DIR/LABEL/` for a phased plan.
    public let output: String?

    public init(plan: ReplayPlan, scriptPath: String, capture: ReplayCapture, device: String,
                direction: EmbeddedSystem.Direction, output: String?) {
        self.plan = plan
        self.scriptPath = scriptPath
        self.capture = capture
        self.device = device
        self.direction = direction
        self.output = output
    }

    /// Reads the plan and the capture from files.
    public init(script: String, pcap: String, device: String, direction: EmbeddedSystem.Direction,
                output: String?) throws(ReplayError) {
        let source: String
        do { source = try ScriptFile.text(script) } catch { throw ReplayError("\(error)") }
        self.init(plan: try ReplayPlan(source: source, path: script), scriptPath: script,
                  capture: try ReplayCapture(path: pcap), device: device, direction: direction, output: output)
    }

    /// Runs the plan in `world` (a fresh one by default). Every line's expectation must hold:
    /// a plan that did not build as written would make the traffic's story a lie.
    public func run(in world: EmbeddedSystem = EmbeddedSystem()) throws(ReplayError) -> ReplayReport {
        // The report shows each program's time per run.
        try RunTimeStatistics.whileEnabled { () throws(ReplayError) in try runPhases(in: world) }
    }

    private func runPhases(in world: EmbeddedSystem) throws(ReplayError) -> ReplayReport {
        let runner = ScriptRunner(system: world, directory: ScriptFile.directory(of: scriptPath))
        if let output {
            try capture.requireWritableTimestamps(for: output)
            try makeDirectory(output)
        }
        var phases: [PhaseReport] = []
        for phase in plan.phases {
            try check(runner.run(phase.lines))
            let directory = output.map { phase.label.isEmpty ? $0 : "\($0)/\(phase.label)" }
            if let directory, !phase.label.isEmpty { try makeDirectory(directory) }
            phases.append(try replay(label: phase.label, in: world, runner: runner, writingTo: directory))
        }
        try check(runner.run(plan.epilogue))
        return ReplayReport(device: device, direction: direction, frames: capture.frameCount,
                            skipped: capture.skipped, phases: phases)
    }

    private func replay(label: String, in world: EmbeddedSystem, runner: ScriptRunner, writingTo directory: String?) throws(ReplayError) -> PhaseReport {
        let devices: [DeviceInfo]
        do { devices = try world.devices() } catch { throw ReplayError("listing devices: \(error)") }
        guard let entry = devices.first(where: { $0.name == device }) else {
            throw ReplayError("the plan has no device \(device) (it has: \(devices.map(\.name).joined(separator: ", ")))")
        }
        let before = Counters(world, devices, runner)
        let sink = CaptureSink(directory: directory, names: Dictionary(uniqueKeysWithValues: devices.map { ($0.ifindex, $0.name) }))
        do throws(ReplayError) {
            try capture.forEachFrame { frame throws(ReplayError) in
                sink.setTimestamp(frame.timestamp)
                _ = world.send(frame.bytes, device: entry.ifindex, direction, sink: sink)
            }
        } catch {
            _ = sink.finish()
            throw error
        }
        let outcome = sink.finish()
        if let failure = outcome.failure { throw ReplayError("writing the captures: \(failure)") }
        let after = Counters(world, devices, runner)
        return PhaseReport(
            label: label,
            devices: devices.map { device in
                let counts = outcome.counts[device.ifindex] ?? CaptureSink.Counts()
                var entry = PhaseReport.DeviceCounts(name: device.name, ifindex: device.ifindex, delivered: counts.delivered,
                                                     sent: counts.sent, dropped: counts.dropped)
                if let now = after.devices[device.ifindex] {
                    let old = before.devices[device.ifindex]
                    entry.rx = now.rxPackets &- (old?.rxPackets ?? 0)
                    entry.tx = now.txPackets &- (old?.txPackets ?? 0)
                    entry.rxDropped = now.rxDropped &- (old?.rxDropped ?? 0)
                    entry.txDropped = now.txDropped &- (old?.txDropped ?? 0)
                }
                return entry
            },
            programs: after.programs.filter { id, entry in
                after.inUse.contains(id) || entry.statistics.runs != before.programs[id]?.statistics.runs
            }.map { id, entry in
                let old = before.programs[id]?.statistics
                let now = entry.statistics
                return PhaseReport.ProgramCounts(
                    id: id, name: entry.name, runs: now.runs &- (old?.runs ?? 0),
                    nanoseconds: now.nanoseconds &- (old?.nanoseconds ?? 0), next: now.next &- (old?.next ?? 0),
                    pass: now.pass &- (old?.pass ?? 0), drop: now.drop &- (old?.drop ?? 0),
                    redirect: now.redirect &- (old?.redirect ?? 0), other: now.other &- (old?.other ?? 0))
            }.sorted { $0.id < $1.id },
            maps: after.maps.changes(since: before.maps),
            dropReasons: outcome.dropReasons.map { ($0.key, $0.value) }.sorted { ($1.count, $0.reason) < ($0.count, $1.reason) },
            files: outcome.files)
    }

    private func check(_ results: [LineResult]) throws(ReplayError) {
        let broken = results.filter { !$0.matches }
        guard broken.isEmpty else {
            throw ReplayError("\(scriptPath): \(broken.count) line(s) did not print what they expect:\n"
                              + broken.map { "  line \($0.line.number): \($0.printed)" }.joined(separator: "\n"))
        }
    }

    private func makeDirectory(_ path: String) throws(ReplayError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw ReplayError("cannot create \(path)") }
    }
}

/// Device, program and map counters at one moment, to report what a phase added.
private struct Counters {
    var devices: [UInt32: DeviceStatistics] = [:]
    var programs: [UInt32: (name: String, statistics: ProgramStatistics)] = [:]
    /// Ids of the programs on some hook of some device or held by a handle of the script.
    var inUse: Set<UInt32> = []
    let maps: MapSnapshot

    init(_ world: EmbeddedSystem, _ list: [DeviceInfo], _ runner: ScriptRunner) {
        for device in list { devices[device.ifindex] = try? world.statistics(device: device.ifindex) }
        for device in list {
            for hook in [AttachType.tcxIngress, .tcxEgress, .netkitPrimary, .netkitPeer] {
                let target = HookTarget(ifindex: device.ifindex, attachType: hook)
                guard let reply = try? world.query(RawQuery(target: target)) else { continue }
                inUse.formUnion(reply.programIDs)
            }
        }
        inUse.formUnion(runner.heldProgramIDs)
        for (id, name, statistics) in world.programStatistics() { programs[id] = (name, statistics) }
        maps = MapSnapshot(world, runner)
    }
}
