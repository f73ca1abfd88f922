import LinuxKernel
import TCXScript
import Testing

/// The socket-map corpus (Tests/Fixtures/corpus/sockmap) on the real kernel, where its
/// expectations were recorded: each script in its own world.
@Suite(needsKernel)
struct KernelSocketMapCorpusTests {
    static let scripts = KernelTestSupport.scripts(in: "../corpus/sockmap")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
