import BPFCore

/// Loops bounded by `may_goto` (the kernel's can_loop / cond_break): the way into the body is
/// followed one may_goto deeper, with the numbers that decide nothing widened against the
/// state the previous iteration had there (widen_imprecise_scalars), and a state at the
/// may_goto that an earlier one of another depth covers ends that way (the loop converged).
enum MayGotoLoops {
    static func isMayGoto(_ op: Operation?) -> Bool {
        if case .mayGoto? = op { return true }
        return false
    }
}
