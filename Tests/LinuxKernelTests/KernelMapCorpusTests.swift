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
        try KernelTestSupport.expectScriptPasses(path)
    }
}
