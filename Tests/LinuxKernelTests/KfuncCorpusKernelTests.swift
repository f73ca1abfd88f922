import LinuxKernel
import Testing

/// The kfunc corpus on the real kernel: the expectations were recorded there, and the embedded
/// backend must print the same (KfuncCorpusTests).
@Suite(needsKernel)
struct KfuncCorpusKernelTests {
    static let scripts = KernelTestSupport.scripts(in: "../corpus/kfunc")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
