/// A number spilled whole to a slot stays tied to its register, as the kernel's
/// check_stack_write_fixed_off ties them (assign_scalar_id_before_mov): a comparison of the
/// register after the spill bounds what a fill of the slot gives, and the other way round
/// (verifier_spill_fill's spill_unbounded and spill_32bit_of_32bit_ok; Tests/Fixtures/verifier/spill_ids.c).
enum StackSpillIDs {
    /// The register's value with the id its spill shares, when the store is a spill that ties
    /// them: a number not known exactly, stored at the start of a slot, all of whose bits fit
    /// in the store (a narrowing spill breaks the relation); nil otherwise.
    static func tie(_ value: AbstractValue, to base: AbstractValue, offset: Int, size: Int, at index: Int) -> AbstractValue? {
        guard case .stack = base.kind, base.range.constant == 0, value.isScalar, value.id == 0,
              value.range.constant == nil else { return nil }
        let start = base.offset + offset
        guard start % 8 == 0, size == 8 || value.range.umax < UInt64(1) << UInt64(size * 8) else { return nil }
        var tied = value
        tied.id = index + 1
        tied.delta = 0
        tied.delta32 = false
        return tied
    }
}
