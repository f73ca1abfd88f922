import LinuxKernel
import TCXScript
import Testing

/// The map corpus (Tests/Fixtures/corpus/maps) on the real kernel, where its expectations
/// were recorded: each script in its own world.
@Suite(needsKernel)
struct KernelMapCorpusTests {
    static let scripts = KernelTestSupport.scripts(in: "../corpus/maps")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let world = try KernelSystem()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        #expect(results.contains { $0.line.expected != nil })
        for result in results where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }
}
