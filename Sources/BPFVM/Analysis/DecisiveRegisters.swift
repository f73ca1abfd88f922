import BPFCore

/// Which registers, before each instruction, hold a value that may still decide a comparison,
/// an address or a call's argument before it is overwritten: narrower than `ScalarRelevance`,
/// as a value only stored to memory or handed back decides none of these. Close to what the
/// kernel marks precise (mark_chain_precision) for a counter: a loop's widening keeps such a
/// register's known constant, which the kernel follows through every value, and widens the
/// counters it would widen (widen_imprecise_scalars).
enum DecisiveRegisters {
    static func compute(_ program: VerifiedProgram) -> [UInt16] {
        BackwardFlow.solve(program) { _, op, after in
            ScalarRelevance.before(op, after: after, exitDecides: false, storedValuesDecide: false, atomicR0Decides: false)
        }
    }
}
