import BPFVM

/// The `__sk_buff` stores a run makes straight into its context block
/// (`VerifierOptions.contextDirectWrites`): every store the program type's rules allow, since
/// `TCRun.absorbWrites` takes each writable field in from the block when the flag is set. Reads
/// of the fields whose read-back differs from the value stored (`tc_index`, `tc_classid`,
/// `queue_mapping`) stay guarded (`ContextDirectReads`), and the guarded access takes the stores
/// in first, so a program reads back what the kernel kept.
enum ContextDirectWriteFields {
    /// Padding after `tstamp_type` that the rules refuse to every program: the "written" flag.
    static let flagOffset = SKBField.tstampType + 1

    /// What a tc program's (or, with `SocketFilterRules`, a socket filter's) direct store does.
    static func directWrites(_ allows: @escaping @Sendable (_ offset: Int, _ size: Int, _ write: Bool) -> Bool) -> ContextDirectWrites {
        ContextDirectWrites(flagOffset: flagOffset) { offset, size in
            guard allows(offset, size, true) else { return nil }
            // The kernel ignores a queue mapping of 0xffff (NO_QUEUE_MAPPING) or more: a later
            // store of one must not undo an earlier store still waiting in the block.
            return offset == SKBField.queueMapping ? .ignoredFrom(limit: 0xffff) : .verbatim
        }
    }
}
