import SwiftTCX
import TCXScript
import Testing

extension Fixtures {
    /// Runs a script in a fresh embedded world and records every line that did not print what
    /// it expects; a script with no expectation at all is an issue too.
    static func expectScriptPassesOnEmbedded(_ path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        #expect(results.contains { $0.line.expected != nil }, "\(path) has no expectations")
        for result in results where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }
}
