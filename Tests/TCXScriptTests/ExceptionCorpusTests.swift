import Testing

/// The exceptions corpus (Tests/Fixtures/corpus/exceptions): bpf_throw from every depth with and
/// without an exception callback, preemption and irq sections, and what the kernel refuses around
/// them, recorded on the kernel, give the same lines on the embedded backend.
@Suite struct ExceptionCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/exceptions")

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 4)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
