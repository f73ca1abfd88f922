import Testing

/// The kfunc corpus (Tests/Fixtures/corpus/kfunc): open-coded loops, skb dynptrs, kconfig
/// externs, weak kfuncs and the programs refused alone, each script recorded on the kernel,
/// gives the same lines on the embedded backend.
@Suite struct KfuncCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/kfunc")

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 5)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
