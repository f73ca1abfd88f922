import Testing

/// The kernel-variable corpus (Tests/Fixtures/corpus/ksyms): typed, untyped and weak `__ksym`
/// variables, with expectations recorded on the kernel (which, built without
/// CONFIG_KALLSYMS_ALL, has no variable addresses to give).
@Suite struct KsymCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/ksyms")

    @Test func corpusIsThere() {
        #expect(!Self.scripts.isEmpty)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
