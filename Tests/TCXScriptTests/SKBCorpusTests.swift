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

/// lock.c on the embedded backend only: the kernel needs the map's BTF to accept bpf_spin_lock,
/// and the kernel backend does not create maps with BTF yet (another part of issue 9). The
/// expected totals follow from the program: 5, then 5 + 7.
@Suite struct SKBSpinLockTests {
    @Test func lockedCounterOnEmbedded() throws {
        let path = Fixtures.root + "/Tests/Fixtures/corpus/skb/lock-embedded.tcx"
        let source = """
            prog add load lock.o locked_add => ok
            test-run add packet=02000000000202000000000188b5050000000000000000000000 => ret=5 out=02000000000202000000000188b5050000000000000000000000
            test-run add packet=02000000000202000000000188b5070000000000000000000000 => ret=12 out=02000000000202000000000188b5070000000000000000000000
            """
        let world = try Backend.embedded.openWorld()
        defer { world.shutdown() }
        let results = try ScriptFile.run(source: source, path: path, world: world)
        #expect(results.count == 3)
        for result in results where !result.matches {
            Issue.record("line \(result.line.number): \(result.printed)")
        }
    }
}
