import Testing

/// The long-loop corpus (Tests/Fixtures/corpus/loops): bpf_loop of BPF_MAX_LOOPS calls, nested
/// bpf_loop, number iterators and may_goto loops, far past the budget of unproven programs,
/// recorded on the kernel, give the same lines on the embedded backend.
@Suite struct LoopCorpusTests {
    static let scripts = Fixtures.tcxFiles(in: Fixtures.root + "/Tests/Fixtures/corpus/loops")

    @Test func corpusIsThere() {
        #expect(Self.scripts.count >= 1)
    }

    @Test(arguments: scripts)
    func scriptPassesOnEmbedded(path: String) throws {
        try Fixtures.expectScriptPassesOnEmbedded(path)
    }
}
