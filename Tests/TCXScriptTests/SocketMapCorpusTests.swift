import Testing

/// The socket-map corpus (Tests/Fixtures/corpus/sockmap): a tc program storing the sockets it
/// looked up in a SOCKMAP and a SOCKHASH, taking them out, steering to them; expectations
/// recorded on the kernel.
@Suite struct SocketMapCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/sockmap")

    @Test func corpusIsThere() {
        #expect(!Self.scripts.isEmpty)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
