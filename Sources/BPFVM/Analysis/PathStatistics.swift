/// What the path analysis did on one program, counted as the kernel's verifier log counts it
/// (`processed 64248 insns ... total_states 4106 peak_states 665`): to compare the cost of
/// its pruning with the kernel's, and for tests that would fail if pruning got much weaker.
public struct PathStatistics: Hashable, Sendable {
    /// Instructions processed over all paths (the kernel's `insn_processed`).
    public var processed = 0
    /// States kept at pruning points (`total_states`).
    public var totalStates = 0
    /// The most states kept at once (`peak_states`).
    public var peakStates = 0
    /// Paths ended because a kept state covered them.
    public var pruned = 0
    /// False when the analysis gave up without a verdict (over its budget, or a call chain
    /// deeper than it follows).
    public var complete = true

    public init(processed: Int = 0, totalStates: Int = 0, peakStates: Int = 0, pruned: Int = 0, complete: Bool = true) {
        self.processed = processed
        self.totalStates = totalStates
        self.peakStates = peakStates
        self.pruned = pruned
        self.complete = complete
    }
}
