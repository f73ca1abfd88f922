/// The kernel's fixed limits that the machine keeps too.
public enum VMLimits {
    /// `MAX_CALL_FRAMES`: the entry function plus seven nested bpf-to-bpf calls.
    public static let maxCallFrames = 8
    /// `MAX_BPF_STACK`: bytes of stack each frame owns.
    public static let stackPerFrame = 512
    /// `MAX_TAIL_CALL_CNT`: tail calls one run may chain.
    public static let maxTailCalls = 33
    /// `BPF_COMPLEXITY_LIMIT_INSNS`: the largest program a privileged loader may load.
    public static let maxInstructions = 1_000_000
    /// `BPF_MAXINSNS`: the largest program an unprivileged loader may load.
    public static let maxUnprivilegedInstructions = 4096
    /// The helper id of `bpf_tail_call`.
    public static let tailCallHelper: Int32 = 12
    /// `BPF_MAX_LOOPS`: the most calls `bpf_loop` makes and steps a number iterator takes.
    public static let maxLoops = 8 << 20
    /// `BPF_MAX_TIMED_LOOPS`: may_goto passes between two looks at the clock (the x86-64 JIT's
    /// timed may_goto, which this machine's kernel uses).
    public static let timedMayGotoPasses: UInt64 = 0xffff
    /// The kernel's time slice for one frame's may_goto loops (250 ms) on the run's instruction
    /// clock: instructions charged to loop iterations. On this machine's 6.18 kernel the
    /// tightest may_goto loop (5 instructions a pass) runs 180-300 M passes in its slice, 0.9-1.5 G
    /// instructions; 2 G lets every loop the kernel finishes in its slice finish here too, unless
    /// its body runs faster than 8 instructions a nanosecond there.
    public static let mayGotoSliceInstructions = 2_000_000_000
    /// The run budget of a program whose termination the verifier's path analysis proved: none
    /// (the kernel has none), the counter only serves as the may_goto clock.
    public static let provenBudget = Int.max
    /// Slices a run of a typed program may charge when the path analysis gave up on it (its
    /// pruning is weaker than the kernel's, which likely proved the program): its may_goto
    /// loops end by their clock first, and a loop the kernel would run for about a second ends too.
    public static let gaveUpBudgetSlices = 4
    /// Frames one run may nest, across its tail calls. The verifier keeps each program within
    /// `maxCallFrames`, but a tail call made inside a bpf-to-bpf call keeps the frames below the
    /// calling function (the kernel replaces only the caller's own frame), so a chain of tail
    /// calls from subprograms nests up to this deep.
    public static let maxRunFrames = 1 + (maxTailCalls + 1) * (maxCallFrames - 1)
    /// Total stack bytes a run owns.
    static let stackBytes = maxRunFrames * stackPerFrame
}
