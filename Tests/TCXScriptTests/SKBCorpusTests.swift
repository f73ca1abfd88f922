import SwiftTCX
import TCXScript
import Testing

/// The skb helper corpus (Tests/Fixtures/corpus/skb): each script, recorded on the kernel,
/// gives the same lines on the embedded backend.
@Suite struct SKBCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/skb")

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 3)
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
