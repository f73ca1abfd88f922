import LinuxKernel
import Testing

/// The objects corpus on the real kernel, where its expectations were recorded: the kernel
/// backend's loader must give the kernel what libbpf gives it (the DATASEC of global data, an
/// inner template's BTF), and the embedded backend must print the same (ObjectCorpusTests).
@Suite(needsKernel)
struct ObjectCorpusKernelTests {
    static let scripts = KernelTestSupport.scripts(in: "../corpus/objects")

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
