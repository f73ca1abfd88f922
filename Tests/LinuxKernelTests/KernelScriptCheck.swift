import LinuxKernel
import TCXScript
import Testing

extension KernelTestSupport {
    /// Runs a script in a fresh sandbox world and records every line that did not print what
    /// it expects; a script with no expectation at all is an issue too.
    static func expectScriptPasses(_ path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let world = try KernelSystem()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        #expect(results.contains { $0.line.expected != nil }, "\(path) has no expectations")
        for result in results where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }
}
