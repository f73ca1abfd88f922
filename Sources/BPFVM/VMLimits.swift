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
    /// Total stack bytes a run owns.
    static let stackBytes = maxCallFrames * stackPerFrame
}
