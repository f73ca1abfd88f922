import ArgumentParser
import LinuxKernel
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
            changed; needs root) and --backend embedded a fresh, empty world. --netns NAME shows a \
            network namespace of the machine instead (an `ip netns` name or /proc/PID/ns/net).
            """)

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "embedded (default) or kernel.")
    var backend: Backend = .embedded

    @Option(help: "A tcx script that builds the world to show.")
    var script: String?

    @Option(help: ArgumentHelp("A network namespace of this machine to show (always the kernel's).", valueName: "name|path"))
    var netns: String?

    func validate() throws {
        if netns != nil {
            guard script == nil else { throw ValidationError("--netns shows a namespace as it is: not with --script.") }
        }
    }

    func run() throws {
        let report: NetReport
        if let netns {
            do {
                let world = try KernelSystem(scope: .namespace(netns, bpffs: KernelScope.defaultBPFFS))
                defer { world.shutdown() }
                report = try NetReport.build(namespaceOf: world, name: "netns \(netns)")
            } catch {
                throw CommandFailure("\(error)")
            }
        } else if script == nil && backend == .kernel {
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
        let source: String
        do { source = try ScriptFile.text(path) } catch {
            printError("\(error)")
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
