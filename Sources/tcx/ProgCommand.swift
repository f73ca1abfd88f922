import ArgumentParser
import SwiftTCX
import TCXScript

/// `tcx prog …`: programs of clang-compiled objects, in the spirit of `bpftool prog`.
struct ProgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prog",
        abstract: "Run programs of BPF object files; list, show, load and pin the machine's programs.",
        subcommands: [ProgRun.self, ProgList.self, ProgShow.self, ProgLoad.self, ProgPin.self])
}

/// `tcx prog run OBJECT SECTION --data-in FILE [--data-out FILE] [--repeat N] [--backend B]`
struct ProgRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Load one program of an object in a fresh world and test-run it (BPF_PROG_TEST_RUN).",
        discussion: """
            Prints what `bpftool prog run` prints: `Return value: N, duration: Dns`, with \
            `(average)` after `duration` when --repeat is above 1. The object's maps are created \
            (global data filled) as libbpf would; nothing else is in the world.
            """)

    @Argument(help: "A clang-compiled BPF object file (ELF).")
    var object: String

    @Argument(help: "The program: a section name (tc, tcx/ingress, …) or a function name.")
    var section: String

    @Option(name: .customLong("data-in"), help: "The packet to run on, raw bytes (- for stdin).")
    var dataIn: String

    @Option(name: .customLong("data-out"), help: "Where to write the packet as the program left it (- for a hex dump on stdout).")
    var dataOut: String?

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Runs to average the duration over (0 counts as 1, as in the kernel).")
    var repeatCount: UInt32 = 1

    @Option(help: "embedded (default) or kernel.")
    var backend: Backend = .embedded

    @Option(help: "A tcx script run in the world first: devices and the network the helpers consult (dev, mac, mtu, addr, route, neigh, listen).")
    var setup: String?

    @Option(name: .customLong("dev"), help: "The device the run sees (test-run's ctx_in ifindex): lo or a device the --setup script made.")
    var device: String?

    @Option(name: .customLong("perf-events"), help: "A perf event array of the object to read during the run; prints each sample (and lost count) before the summary.")
    var perfEvents: String?

    @Flag(help: "Print JSON (retval, duration, and data_out with --data-out -).")
    var json = false

    func run() throws {
        let objectBytes = try FileBytes.read(object, .object)
        let packet = try FileBytes.read(dataIn, .packet)
        let world: any TCXSystem
        do {
            world = try backend.openWorld()
        } catch {
            throw CommandFailure("cannot open a \(backend.rawValue) world: \(error)")
        }
        defer { world.shutdown() }
        let ifindex = try ProgRunNetwork.prepare(world, setup: setup, device: device)
        var records: [PerfEventRecord] = []
        let result = try testRun(in: world, objectBytes: objectBytes, packet: packet, ifindex: ifindex, records: &records)
        if let dataOut, dataOut != "-" {
            try FileBytes.write(result.packetOut, to: dataOut, what: "data-out file")
        }
        print(json ? jsonText(result, records) : ProgRunPerfEvents.lines(records) + plainText(result))
    }

    private func testRun(in world: any TCXSystem, objectBytes: [UInt8], packet: [UInt8],
                         ifindex: UInt32?, records: inout [PerfEventRecord]) throws -> TestRunResult {
        guard let system = world as? any BPFObjectSystem else {
            throw CommandFailure("the \(backend.rawValue) backend cannot load objects")
        }
        let loaded: LoadedObject
        do {
            loaded = try LoadedObject(bytes: objectBytes, name: object, system: system)
        } catch {
            throw CommandFailure("\(object): cannot load the object: \(error)")
        }
        let name = loaded.spec.program(named: section)?.name ?? section
        let handle: Handle
        do {
            handle = try loaded.loadProgram(section, as: name)
        } catch {
            throw CommandFailure("\(object): cannot load program '\(section)': \(error)")
        }
        let reader = try perfEvents.map { try ProgRunPerfEvents($0, of: loaded, in: system) }
        loaded.close()
        defer { records = reader?.finish() ?? [] }
        do {
            if let ifindex, let net = world as? any NetworkStateSystem {
                return try net.testRun(handle, packet: packet, repeat: repeatCount, ifindex: ifindex)
            }
            return try world.testRun(handle, packet: packet, repeat: repeatCount)
        } catch {
            throw CommandFailure("\(object): test-run of '\(section)' failed: \(error)")
        }
    }

    private func plainText(_ result: TestRunResult) -> String {
        let summary = "Return value: \(result.returnValue), duration\(repeatCount > 1 ? " (average)" : ""): "
            + "\(result.durationNanoseconds)ns"
        return dataOut == "-" ? HexDump.lines(result.packetOut) + summary : summary
    }

    private func jsonText(_ result: TestRunResult, _ records: [PerfEventRecord]) -> String {
        var fields: [String] = []
        if perfEvents != nil { fields.append(ProgRunPerfEvents.json(records)) }
        if dataOut == "-" { fields.append("\"data_out\":" + HexDump.jsonArray(result.packetOut)) }
        fields += ["\"retval\":\(result.returnValue)", "\"duration\":\(result.durationNanoseconds)"]
        return "{" + fields.joined(separator: ",") + "}"
    }
}
