import Testing

/// The skb helper corpus (Tests/Fixtures/corpus/skb): each script, recorded on the kernel,
/// gives the same lines on the embedded backend.
@Suite struct SKBCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/skb")

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 3)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}

