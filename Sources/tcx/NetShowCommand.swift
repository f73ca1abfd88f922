import ArgumentParser
import SwiftTCX
import TCXNet
import TCXScript

/// `tcx net …`: network state, in the spirit of `bpftool net`.
struct NetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net",
        abstract: "Show devices and their tcx, netkit and classic tc attachments.",
        subcommands: [NetShow.self])
}

/// `tcx net show [--json] [--backend embedded|kernel] [--script FILE]`
struct NetShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Every device with its hooks: programs in order, link ids, revisions.",
        discussion: """
            With --script, a fresh world of the backend is built by running the script, then shown.
            Without it, --backend kernel shows the real machine (read-only: nothing is created or \
            changed; needs root) and --backend embedded a fresh, empty world.
            """)

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "embedded (default) or kernel.")
    var backend: Backend = .embedded

    @Option(help: "A tcx script that builds the world to show.")
    var script: String?

    func run() throws {
        let report: NetReport
        if script == nil && backend == .kernel {
            report = try NetReport.buildHost()
        } else {
            let world = try backend.openWorld()
            defer { world.shutdown() }
            if let script { try build(world, from: script) }
            report = try NetReport.build(from: world)
        }
        print(json ? try report.json() : report.text)
    }

    /// Runs the script on the world; a failed expectation is reported but the world still shown.
    private func build(_ world: any TCXSystem, from path: String) throws {
        guard let source = ScriptFile.read(path) else {
            printError("\(path): cannot read the script")
            throw ExitCode(2)
        }
        let results: [LineResult]
        do {
            results = try ScriptFile.run(source: source, path: path, world: world)
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        for result in results where !result.matches { printError("\(path): \(result.printed)") }
    }
}
