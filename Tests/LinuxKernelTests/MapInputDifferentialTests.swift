import BPFObject
import LinuxKernel
import SwiftTCX
import TCXConformance
import TCXScript
import Testing

/// Random map keys and values (right sizes, one byte off, far too long; any update flag)
/// against every map of the map corpus must print the same, line for line, on the embedded
/// engine and the kernel. TCX_MAP_DIFFERENTIAL_SEEDS runs more seeds than CI does.
@Suite(needsKernel)
struct MapInputDifferentialTests {
    static let corpus = KernelTestSupport.scripts(in: "../corpus/maps").first.map(ScriptFile.directory(of:)) ?? ""
    static let seeds: [UInt64] = (0..<UInt64(ProcessInfoLite.integer("TCX_MAP_DIFFERENTIAL_SEEDS") ?? 4)).map { 20_000 + $0 }

    @Test(arguments: seeds)
    func randomMapInputPrintsTheSameOnBothBackends(seed: UInt64) throws {
        let sources = try KernelTestSupport.scripts(in: "../corpus/maps").map { try #require(ScriptFile.read($0)) }
        let (setup, targets) = try RandomMapScript.plan(scripts: sources) { try ObjectSpec.load(path: Self.corpus + "/" + $0).maps }
        try #require(targets.count >= 5)
        var generator = RandomMapScript(seed: seed, setup: setup, targets: targets)
        let embedded = try Backend.embedded.openWorld()
        let kernel = try KernelSystem()
        defer {
            embedded.shutdown()
            kernel.shutdown()
        }
        let name = Self.corpus + "/map-fuzz-\(seed).tcx"
        let divergence = try Differential.compare(source: generator.script(length: 200), name: name, first: embedded, second: kernel)
        #expect(divergence == nil, "seed \(seed): \(divergence.map { "\($0)" } ?? "")")
    }
}
