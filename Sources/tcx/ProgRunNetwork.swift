import SwiftTCX
import TCXScript

/// `tcx prog run --setup FILE --dev DEV`: the network a program's helpers consult, set up with
/// script lines (`dev`, `mac`, `mtu`, `addr`, `route`, `neigh`, `listen`) before the test-run.
enum ProgRunNetwork {
    /// Runs the setup script in `world`; returns the ifindex of `device` (nil without --dev).
    static func prepare(_ world: any TCXSystem, setup: String?, device: String?) throws -> UInt32? {
        var runner: ScriptRunner?
        if let setup {
            let source: String
            do { source = try ScriptFile.text(setup) } catch { throw CommandFailure("setup \(error)") }
            let lines: [ScriptLine]
            do {
                lines = try ScriptParser.parse(source, file: setup)
            } catch {
                throw CommandFailure("\(error)")
            }
            let script = ScriptRunner(system: world, directory: ScriptFile.directory(of: setup))
            for result in script.run(lines) where result.result.hasPrefix("error") {
                throw CommandFailure("\(setup):\(result.line.number): \(result.line.text) failed: \(result.result)"
                                     + (result.reason.map { " (\($0))" } ?? ""))
            }
            runner = script
        }
        guard let device else { return nil }
        if device == "lo" { return 1 }
        guard let ifindex = runner?.ifindex(ofDevice: device) else {
            throw CommandFailure("--dev \(device): no device of that name (create it with `dev` in the --setup script)")
        }
        return ifindex
    }
}
