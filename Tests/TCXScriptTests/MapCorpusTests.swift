import SwiftTCX
import TCXScript
import Testing

/// The map corpus (Tests/Fixtures/corpus/maps): objects with every map type a tc program can
/// use, set up and read back by scripts whose expectations were recorded on the kernel.
@Suite struct MapCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/maps")

    @Test func corpusIsThere() {
        #expect(!Self.scripts.isEmpty)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        #expect(results.contains { $0.line.expected != nil })
        for result in results where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }
}
