import Engine
import TCX
import TCXConformance
import TCXScript
import Testing

/// Every refused operation must leave revision, order and every handle exactly as they were.
/// Thousands of random lines (random flag bits, relatives, closed handles, stale revisions,
/// links and prog-mode mixed) are run one at a time with a snapshot before and after each.
@Suite struct RefusalInvarianceTests {
    @Test(arguments: 0..<40)
    func refusedLinesChangeNothing(seed: UInt64) throws {
        var generator = RandomScript(seed: seed)
        let source = generator.script(length: 150)
        let lines = try ScriptParser.parse(source, file: "seed-\(seed)")
        let world = EmbeddedSystem()
        defer { world.shutdown() }
        let runner = ScriptRunner(system: world, directory: ".")
        let fds = Array(UInt32(3)...UInt32(80))
        var refused = 0
        for line in lines {
            let before = WorldSnapshot.take(world, fds: fds)
            let result = runner.run(line)
            guard result.result.hasPrefix("error") else { continue }
            refused += 1
            let after = WorldSnapshot.take(world, fds: fds)
            #expect(before == after, "seed \(seed) line \(line.number): \(line.text) => \(result.result) changed the world")
        }
        #expect(refused > 10, "the generator should provoke refusals")
    }
}
