import LinuxKernel
import TCXScript
import Testing

/// The kernel-variable corpus (Tests/Fixtures/corpus/ksyms) on the real kernel, where its
/// expectations were recorded: each script in its own world.
@Suite(needsKernel)
struct KernelKsymCorpusTests {
    static let scripts = KernelTestSupport.scripts(in: "../corpus/ksyms")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
