import Testing

/// The objects corpus (Tests/Fixtures/corpus/objects): objects tc programs allocate with
/// bpf_obj_new and drop, and the programs the kernel refuses for how they hold them, recorded
/// on the kernel, give the same lines on the embedded backend.
@Suite struct ObjectCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/objects")

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 1)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
