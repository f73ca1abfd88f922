/// A conditional jump comparing a register with itself (`if r0 > r0`). Linux 6.18 does not
/// decide it from the identity; it refines the one register as both operands in turn, so the
/// bounds can contradict themselves. The kernel then resets them (reg_bounds_sanity_check:
/// unbounded, known bits kept) and follows the way: such a way is never dead here.
enum SameRegisterComparison {
    /// The state on one way, from the register's bounds refined as the left and as the right operand.
    static func way(_ state: PathState, register: Int, left: ScalarRange, right: ScalarRange) -> PathState {
        var next = state
        let value = state.registers[register]
        let refined = left.isEmpty || right.isEmpty ? nil : left.intersected(right)
        if let refined, !refined.isEmpty {
            next.registers[register].range = value.range.intersected(refined)
            if !next.registers[register].range.isEmpty { return next }
        }
        // Contradictory bounds: the register and its copies keep only their known bits.
        next.registers[register].range = .knownBits(value.range.bits)
        guard value.id != 0 else { return next }
        let id = value.id
        next.updateAll { other in
            if other.isScalar, other.id == id { other.range = .knownBits(other.range.bits) }
        }
        return next
    }
}
