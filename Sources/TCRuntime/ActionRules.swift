import BPFCore
import BPFVM

/// SCHED_ACT programs (tc actions, `SEC("action")`) get the classifier's context rules and
/// helpers (the kernel's tc_cls_act_verifier_ops) but fewer kfuncs: the kernel registers several
/// kfunc sets for SCHED_CLS alone (`EmbeddedKfunc.refusedToACT`). A call to one of those is then
/// refused as the kernel refuses it ("calling kernel function X is not allowed", EACCES).
enum ActionRules {
    /// `tc`'s table without the kfuncs the kernel refuses to SCHED_ACT.
    static func table(from tc: HelperTable) -> HelperTable {
        let refused = Set(EmbeddedKfunc.allCases.filter { EmbeddedKfunc.refusedToACT.contains($0.name) }
            .map(KfuncTable.helperID))
        let kept = Set((0 ..< Int32(1 << 16)).filter { tc.contains($0) && !refused.contains($0) })
        return tc.keeping(kept)
    }
}
