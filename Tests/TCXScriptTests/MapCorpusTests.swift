import Testing

/// The map corpus (Tests/Fixtures/corpus/maps): objects with every map type a tc program can
/// use, set up and read back by scripts whose expectations were recorded on the kernel.
@Suite struct MapCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/maps")

    @Test func corpusIsThere() {
        #expect(!Self.scripts.isEmpty)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
