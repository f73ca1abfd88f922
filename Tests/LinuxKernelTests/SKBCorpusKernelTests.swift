import LinuxKernel
import Testing

/// The skb helper corpus on the real kernel: the expectations were recorded there, and the
/// embedded backend must print the same (SKBCorpusTests).
@Suite(needsKernel)
struct SKBCorpusKernelTests {
    static let scripts = KernelTestSupport.scripts(in: "../corpus/skb")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
