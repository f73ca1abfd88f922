import Testing

/// Every script of the corpus passes on the embedded backend: the kernel-recorded ones under
/// `kernel/`, and the netkit and datapath ones under `embedded/`.
@Suite struct CorpusTests {
    static let kernelScripts = Fixtures.scripts(in: "kernel")
    static let embeddedScripts = Fixtures.scripts(in: "embedded")
    static let examples = Fixtures.examples

    @Test func corpusIsThere() {
        #expect(Self.kernelScripts.count >= 40)
        #expect(Self.embeddedScripts.count >= 10)
        #expect(!Self.examples.isEmpty)
    }

    @Test(arguments: kernelScripts + embeddedScripts + examples)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
