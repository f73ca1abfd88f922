import Glibc
import LinuxKernel
import TCX
import TCXScript
import Testing

/// The corpus scripts that must print the same on both backends, run on the real kernel: each
/// in its own world, every expectation checked (`run` lines are skipped by the runner).
@Suite(needsKernel)
struct KernelCorpusTests {
    static let scripts = KernelTestSupport.scripts(in: "kernel")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
