import ArgumentParser
import SwiftTCX
import TCXScript

#if canImport(Glibc)
import Glibc
#endif

extension Backend: ExpressibleByArgument {}

/// `tcx script FILE... [--backend embedded|kernel] [--record]`
struct RunScript: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "script",
        abstract: "Run tcx scripts, each in a fresh world, and check their expectations.",
        discussion: "Exit status: 0 when every expectation held, 1 when one did not, 2 when a script could not be read or parsed.")

    @Argument(help: "Script files.")
    var files: [String]

    @Option(help: "embedded (default) or kernel.")
    var backend: Backend = .embedded

    @Flag(help: "Rewrite each line's `=> EXPECTED` with what the backend printed.")
    var record = false

    @Flag(name: .shortAndLong, help: "Print only mismatching lines and the summary.")
    var quiet = false

    @Flag(help: "After each refused line, print why the backend refused it (as a comment).")
    var explain = false

    func run() throws {
        var worst = ScriptFile.Outcome.passed
        for path in files {
            worst = max(worst, runFile(path))
        }
        if worst != .passed { throw ExitCode(worst.rawValue) }
    }

    private func runFile(_ path: String) -> ScriptFile.Outcome {
        let source: String
        do { source = try ScriptFile.text(path) } catch {
            printError("\(error)")
            return .unreadable
        }
        let world: any TCXSystem
        do {
            world = try backend.openWorld()
        } catch {
            printError("\(path): cannot open a \(backend.rawValue) world: \(error)")
            return .unreadable
        }
        defer { world.shutdown() }
        let results: [LineResult]
        do {
            results = try ScriptFile.run(source: source, path: path, world: world)
        } catch {
            printError("\(error)")
            return .unreadable
        }
        if files.count > 1 && !quiet { print("# \(path)") }
        for result in results where !quiet || !result.matches {
            print(result.printed)
            if explain, let reason = result.reason { print("    # \(reason)") }
        }
        if record {
            if !ScriptFile.write(ScriptFile.recorded(source: source, results: results), to: path) {
                printError("\(path): cannot write the recorded script")
                return .unreadable
            }
            return .passed
        }
        let skipped = results.filter(\.skipped).count
        if skipped > 0 { printError("\(path): \(skipped) line(s) skipped: the \(backend.rawValue) backend cannot do what they ask") }
        return results.allSatisfy(\.matches) ? .passed : .mismatched
    }
}

func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
