/// Which context stores a run may make straight into the context block
/// (`VerifierOptions.contextDirectWrites`), and where it records that it made one.
public struct ContextDirectWrites: Sendable {
    /// How a direct store treats the value, as the kernel's rewritten store does.
    public enum Rule: Sendable, Equatable {
        /// The value lands as stored.
        case verbatim
        /// A 32-bit value at or above `limit` is ignored, the field keeping what it held
        /// (`__sk_buff.queue_mapping`: 0xffff and above).
        case ignoredFrom(limit: UInt32)
        /// A 16-bit field in a 32-bit slot: the low half is kept, the upper half zero
        /// (`__sk_buff.tc_index`, `tc_classid`).
        case lowHalf
    }

    /// A byte inside the context block no program can load or store (the program type's rules
    /// refuse it): a direct store sets it to 1, so the runtime knows to take the stores in.
    public var flagOffset: Int
    /// The rule for a store of `size` bytes at `offset`; nil keeps it an ordinary checked store.
    public var rule: @Sendable (_ offset: Int, _ size: Int) -> Rule?

    /// Fields whose value in the block is what the kernel keeps as long as every store to them
    /// is a direct one (the rules above applied at the store): their loads read the block
    /// directly too, unless the program stores an immediate to one (that store stays checked
    /// and lands unconverted).
    public var keptFields: [Range<Int>]

    public init(flagOffset: Int, keptFields: [Range<Int>] = [],
                rule: @escaping @Sendable (_ offset: Int, _ size: Int) -> Rule?) {
        self.flagOffset = flagOffset
        self.keptFields = keptFields
        self.rule = rule
    }
}
