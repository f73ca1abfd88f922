/// The `__sk_buff` loads the JIT may read straight from a run's context block
/// (`VerifierOptions.contextDirectReads`), besides what the program type's rules allow: the
/// fields `TCRun` keeps current at every moment. Left to the guarded access: `sk` (the socket
/// is rendered on the first guarded access), the packet pointers (rewritten loads), and
/// `queue_mapping`, `tc_index`, `tc_classid` (after a store a program reads back what the
/// kernel kept of it, which the guarded access takes in first; `ContextDirectWriteFields.keptFields`
/// makes them direct in programs whose every store to them applies the kernel's rule).
enum ContextDirectReads {
    private static let guarded: [Range<Int>] = [
        SKBField.sk ..< SKBField.sk + 8,
        SKBField.data ..< SKBField.dataEnd + 4,
        SKBField.dataMeta ..< SKBField.dataMeta + 4,
        SKBField.queueMapping ..< SKBField.queueMapping + 4,
        SKBField.tcIndex ..< SKBField.tcIndex + 4,
        SKBField.tcClassid ..< SKBField.tcClassid + 4,
    ]

    static func allows(offset: Int, size: Int) -> Bool {
        guard offset >= 0, size > 0, offset <= SKBField.size - size else { return false }
        let access = offset ..< offset + size
        return !guarded.contains { $0.overlaps(access) }
    }
}
