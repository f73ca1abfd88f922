import BPFVM

/// The `__sk_buff` stores a run makes straight into its context block
/// (`VerifierOptions.contextDirectWrites`): every store the program type's rules allow, since
/// `TCRun.absorbWrites` takes each writable field in from the block when the flag is set. The
/// fields whose read-back differs from the value stored (`tc_index`, `tc_classid`,
/// `queue_mapping`) get the kernel's rule at the store, so the block holds what the kernel kept
/// and their loads read it directly, unless the program stores an immediate to one (checked
/// and unconverted: then their loads stay guarded and the guarded access takes the stores in).
enum ContextDirectWriteFields {
    /// Padding after `tstamp_type` that the rules refuse to every program: the "written" flag.
    static let flagOffset = SKBField.tstampType + 1

    /// What a tc program's (or, with `SocketFilterRules`, a socket filter's) direct store does.
    static func directWrites(_ allows: @escaping @Sendable (_ offset: Int, _ size: Int, _ write: Bool) -> Bool) -> ContextDirectWrites {
        ContextDirectWrites(flagOffset: flagOffset, keptFields: keptFields) { offset, size in
            guard allows(offset, size, true) else { return nil }
            switch offset {
            case SKBField.queueMapping:
                // The kernel ignores a queue mapping of 0xffff (NO_QUEUE_MAPPING) or more: a later
                // store of one must not undo an earlier store still waiting in the block.
                return .ignoredFrom(limit: 0xffff)
            case SKBField.tcIndex, SKBField.tcClassid:
                return .lowHalf
            default:
                return .verbatim
            }
        }
    }

    /// The fields `ContextDirectReads` leaves guarded because a store's read-back differs from
    /// the value stored: with the rules applied at the store, their loads read the block too.
    static let keptFields = [
        SKBField.queueMapping ..< SKBField.queueMapping + 4,
        SKBField.tcIndex ..< SKBField.tcIndex + 4,
        SKBField.tcClassid ..< SKBField.tcClassid + 4,
    ]
}
