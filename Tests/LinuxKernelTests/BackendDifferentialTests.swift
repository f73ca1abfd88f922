import Glibc
import LinuxKernel
import SwiftTCX
import TCXConformance
import TCXScript
import Testing

/// The embedded engine against the kernel on scenarios nobody wrote by hand: random scripts
/// (random flag bits, relatives by fd and id, closed handles, stale revisions, links and
/// prog-mode mixed, pins, device removal) must print the same, line for line, on both.
@Suite(needsKernel)
struct BackendDifferentialTests {
    /// `TCX_DIFFERENTIAL_SEEDS` runs more seeds than CI does.
    static let seeds: [UInt64] = {
        let count = ProcessInfoLite.integer("TCX_DIFFERENTIAL_SEEDS") ?? 12
        return (0..<UInt64(count)).map { 10_000 + $0 }
    }()

    @Test(arguments: seeds)
    func randomScriptPrintsTheSameOnBothBackends(seed: UInt64) throws {
        var generator = RandomScript(seed: seed)
        let source = generator.script(length: 150)
        try compare(source, name: "seed-\(seed)")
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func crowdedHookPrintsTheSameOnBothBackends(seed: UInt64) throws {
        var generator = RandomScript(seed: seed, programs: 70)
        try compare(generator.script(length: 300), name: "crowded-\(seed)")
    }

    private func compare(_ source: String, name: String) throws {
        let embedded = try Backend.embedded.openWorld()
        let kernel = try KernelSystem()
        defer {
            embedded.shutdown()
            kernel.shutdown()
        }
        let divergence = try Differential.compare(source: source, name: name, first: embedded, second: kernel)
        #expect(divergence == nil, "\(name): \(divergence.map { "\($0)" } ?? "")")
    }
}

/// Environment variables without Foundation.
enum ProcessInfoLite {
    static func integer(_ name: String) -> Int? {
        guard let value = getenv(name) else { return nil }
        return Int(String(cString: value))
    }
}

/// The netkit scripts run on the kernel only where it has netkit; where it has not, the test is
/// skipped and says why instead of pretending.
@Suite(needsKernel)
struct KernelNetkitCorpusTests {
    @Test(.enabled(if: KernelSystem.supportsNetkit,
                   "this kernel has no netkit (CONFIG_NETKIT): the netkit scripts run on the embedded backend only"),
          arguments: KernelTestSupport.scripts(in: "embedded").filter { $0.contains("netkit") })
    func netkitScriptPassesOnTheKernel(path: String) throws {
        let source = try #require(ScriptFile.read(path))
        let world = try KernelSystem()
        defer { world.shutdown() }
        for result in try ScriptFile.run(source: source, path: path, world: world) where !result.matches {
            Issue.record("\(path):\(result.line.number): \(result.printed)")
        }
    }
}
