import ArgumentParser
import Engine
import Pcap
import SwiftTCX
import TCXScript

#if canImport(Glibc)
import Glibc
#endif

/// `tcx replay`: build an attach plan, push a capture through it, write what every device
/// delivered, sent and dropped, and say who saw what.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a pcap through an attach plan on the embedded backend.",
        discussion: """
            Runs the script in a fresh embedded world, sends every frame of the capture into the device \
            (ingress: the frame arrives at it; egress: the device sends it), and writes DIR/DEV-delivered.pcap, \
            DIR/DEV-sent.pcap and DIR/DEV-dropped.pcap for every device that delivered, sent or dropped frames.
            """)

    @Option(help: "The tcx script that builds the plan.") var script: String
    @Option(help: "The capture to replay (pcap or pcapng).") var pcap: String
    @Option(help: "The device the frames enter.") var dev: String
    @Option(help: "ingress (frames arrive at the device) or egress (the device sends them).") var hook = "ingress"
    @Option(help: "Where to write the per-device captures.") var out: String?

    func validate() throws {
        guard hook == "ingress" || hook == "egress" else {
            throw ValidationError("--hook is ingress or egress, not '\(hook)'")
        }
    }

    func run() throws {
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        guard let source = ScriptFile.read(script) else { throw failure("cannot read the script \(script)") }
        let results = try ScriptFile.run(source: source, path: script, world: world)
        let broken = results.filter { !$0.matches }
        for result in broken { print(result.printed) }
        if !broken.isEmpty { throw failure("\(script): \(broken.count) line(s) did not print what they expect") }

        let devices = try world.devices()
        guard let device = devices.first(where: { $0.name == dev }) else {
            throw failure("the plan has no device \(dev) (it has: \(devices.map(\.name).joined(separator: ", ")))")
        }
        if let out, mkdir(out, 0o755) != 0 && errno != EEXIST { throw failure("cannot create \(out)") }
        let names = Dictionary(uniqueKeysWithValues: devices.map { ($0.ifindex, $0.name) })
        let sink = CaptureSink(directory: out, names: names)
        let reader: CaptureReader
        do { reader = try CaptureReader(path: pcap) } catch { throw failure("\(error)") }

        var frames = 0, skipped = 0
        let direction: EmbeddedSystem.Direction = hook == "ingress" ? .ingress : .egress
        var readError: PcapError?
        while true {
            let record: PcapRecord?
            do { record = try reader.next() } catch { readError = error; break }
            guard let record else { break }
            guard case .converted(let frame) = Dissector.ethernetFrame(record.data, linkType: record.linkType) else {
                skipped += 1
                continue
            }
            sink.setTimestamp(record.timestamp)
            _ = world.send(frame, device: device.ifindex, direction, sink: sink)
            frames += 1
        }
        let outcome = sink.finish()
        ReplaySummary(frames: frames, skipped: skipped, devices: devices, world: world, outcome: outcome).print()
        if let readError { throw failure("\(pcap): stopped early: \(readError)") }
        if let failure = outcome.failure { throw self.failure("writing the captures: \(failure)") }
    }

    private func failure(_ message: String) -> Error {
        printError("tcx replay: \(message)")
        return ExitCode(1)
    }
}
