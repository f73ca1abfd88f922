import LinuxKernel
import TCXScript
import Testing

extension KernelTestSupport {
    /// Runs a script in a fresh sandbox world and records every line that did not print what
    /// it expects; a script with no expectation at all is an issue too.
    ///
    /// A script that mismatches runs once more, in another fresh world, and only the second
    /// run's mismatches count: a few kernel paths may fail for a moment whatever the program
    /// does (CI saw Linux 6.18's bpf_timer_init answer ENOMEM once, its allocation being one
    /// that does not wait), and a real difference mismatches both times.
    static func expectScriptPasses(_ path: String) throws {
        let source = try #require(ScriptFile.read(path))
        var results = try run(source, path: path)
        if results.contains(where: { !$0.matches }) {
            results = try run(source, path: path)
        }
        #expect(results.contains { $0.line.expected != nil }, "\(path) has no expectations")
        for result in results where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }

    private static func run(_ source: String, path: String) throws -> [LineResult] {
        let world = try KernelSystem()
        defer { world.shutdown() }
        return try ScriptFile.run(source: source, path: path, world: world)
    }
}
