import BPFCore

/// A conditional jump on one path: which ways it may go, and what each way learns (number
/// bounds, NULL checks, packet ranges), as the kernel's `check_cond_jmp_op` does. A way the
/// bounds rule out is not followed.
enum PathBranches {
    /// The states on the taken and the fall-through ways; nil for a way no value can go.
    static func outcomes(_ condition: JumpCondition, is64: Bool, dst: UInt8, _ operand: Operand,
                         state: PathState) throws(VMError) -> (taken: PathState?, fallThrough: PathState?) {
        let a = state.registers[Int(dst)]
        let source: Int?
        let b: AbstractValue
        switch operand {
        case .register(let r):
            source = Int(r)
            b = state.registers[Int(r)]
        case .immediate(let imm):
            source = nil
            let value = is64 ? UInt64(bitPattern: Int64(imm)) : UInt64(UInt32(bitPattern: imm))
            b = .constant(value)
        }
        if a.isScalar, b.isScalar {
            return scalars(condition, is64: is64, a, b, dst: Int(dst), source: source, state: state)
        }
        if condition == .eq || condition == .ne {
            // A NULL check is a pointer compared with the immediate 0 (check_cond_jmp_op); with a
            // register holding 0, only a pointer never NULL decides the way (is_branch_taken).
            if b.range.constant == 0, b.isScalar,
               let outcome = nullCheck(a, equalIsTaken: condition == .eq, splits: source == nil && is64, state: state) {
                return outcome
            }
            if a.range.constant == 0, a.isScalar,
               let outcome = nullCheck(b, equalIsTaken: condition == .eq, splits: false, state: state) {
                return outcome
            }
        }
        if is64, let taken = PacketEndMarks.decided(condition, a, b) { return taken ? (state, nil) : (nil, state) }
        if is64, var outcome = packetComparison(condition, a, b, state: state) {
            PacketEndMarks.mark(&outcome, condition, a, b, dst: Int(dst), source: source)
            return outcome
        }
        if condition == .eq || condition == .ne, let outcome = equalPointers(condition, a, b, state: state) { return outcome }
        return (state, state)
    }

    /// A NULL-able pointer found equal to a pointer of its type that is not NULL is not NULL
    /// either, on the way where they are equal.
    private static func equalPointers(_ condition: JumpCondition, _ a: AbstractValue, _ b: AbstractValue,
                                      state: PathState) -> (PathState?, PathState?)? {
        func base(_ value: AbstractValue) -> String { value.nonNull.typeName }
        let (nullable, other) = a.isNullable ? (a, b) : (b, a)
        guard nullable.isNullable, nullable.id != 0, other.isNonNullPointer, base(nullable) == base(other) else { return nil }
        var equal = state
        let id = nullable.id
        equal.updateAll { value in
            if value.isNullable, value.id == id { value = value.nonNull }
        }
        return condition == .eq ? (equal, state) : (state, equal)
    }

    // MARK: numbers

    private static func scalars(_ condition: JumpCondition, is64: Bool, _ a: AbstractValue, _ b: AbstractValue,
                                dst: Int, source: Int?, state: PathState) -> (PathState?, PathState?) {
        if let decided = ScalarComparison.decide(condition, is64: is64, a.range, b.range) {
            return decided ? (state, nil) : (nil, state)
        }
        func branch(_ outcome: Bool) -> PathState? {
            let (newLeft, newRight) = ScalarComparison.refine(condition, is64: is64, a.range, b.range, taken: outcome)
            if source == dst {
                return SameRegisterComparison.way(state, register: dst, left: newLeft, right: newRight)
            }
            // Bounds no value satisfies: the way is dead.
            if newLeft.isEmpty || newRight.isEmpty { return nil }
            var next = state
            // A jset's way with the bits clear forgets the bounds it had (ScalarComparison.clearBits):
            // the new bounds replace the old ones rather than narrow them.
            // So does a number whose crossing signed bounds an unsigned compare forgot
            // (ScalarComparison.forgetCrossingSignedBounds).
            let replacing = condition == .set && !outcome
            narrow(&next, register: dst, to: newLeft,
                   replacing: replacing || ScalarComparison.forgotSignedBounds(a.range, newLeft))
            if let source {
                narrow(&next, register: source, to: newRight,
                       replacing: replacing || ScalarComparison.forgotSignedBounds(b.range, newRight))
            }
            return next
        }
        return (branch(true), branch(false))
    }

    /// Narrows a register to `range`, and every copy tied to it (same id) accordingly.
    private static func narrow(_ state: inout PathState, register: Int, to range: ScalarRange, replacing: Bool = false) {
        let value = state.registers[register]
        let narrowed = replacing ? range : value.range.intersected(range)
        guard value.id != 0 else {
            state.registers[register].range = narrowed
            return
        }
        let id = value.id, delta = value.delta, delta32 = value.delta32
        state.updateAll { other in
            guard other.isScalar, other.id == id else { return }
            if other.delta == delta, other.delta32 == delta32 {
                other.range = replacing ? narrowed : other.range.intersected(narrowed)
            } else {
                // The kernel's sync_linked_regs: the known number plus the difference of the
                // deltas, zero-extended for a copy whose delta a 32-bit add made.
                let shift = other.delta &- delta
                var moved = shift >= 0 ? narrowed.adding(.constant(UInt64(shift)))
                                       : narrowed.subtracting(.constant(UInt64(shift.magnitude)))
                if other.delta32 { moved.zeroExtend32() }
                other.range = replacing ? moved : other.range.intersected(moved)
            }
        }
    }

    // MARK: pointers

    /// A nullable pointer compared with NULL: NULL on one way (and its reference dropped), the
    /// object on the other; a pointer that is never NULL goes one way only.
    private static func nullCheck(_ pointer: AbstractValue, equalIsTaken: Bool, splits: Bool,
                                  state: PathState) -> (PathState?, PathState?)? {
        if pointer.kernelKnowsNonNull {
            return equalIsTaken ? (nil, state) : (state, nil)
        }
        guard splits, pointer.isNullable, pointer.id != 0 else { return nil }
        let id = pointer.id
        var isNull = state, notNull = state
        isNull.updateAll { value in
            if value.isNullable, value.id == id { value = .constant(0) }
        }
        // Only the pointer that took the reference gives it back when NULL; a cast sharing its
        // socket's reference leaves it held (mark_ptr_or_null_regs: ref_obj_id == id).
        if pointer.reference != 0, pointer.reference == pointer.id {
            isNull.dropReference(pointer.reference)
        }
        notNull.updateAll { value in
            if value.isNullable, value.id == id { value = value.nonNull }
        }
        return equalIsTaken ? (isNull, notNull) : (notNull, isNull)
    }

    /// A packet pointer compared with the packet's end (or a metadata pointer with the
    /// packet's start): the way on which it is below learns that many bytes are there.
    private static func packetComparison(_ condition: JumpCondition, _ a: AbstractValue, _ b: AbstractValue,
                                         state: PathState) -> (PathState?, PathState?)? {
        func bounds(_ pointer: AbstractValue, _ end: AbstractValue) -> Bool {
            (pointer.kind == .packet && end.kind == .packetEnd)
                || (pointer.kind == .packetMeta && end.kind == .packet && end.offset == 0 && end.range.constant == 0)
        }
        var taken = state, fallThrough = state
        // (pointer on the left?, way that learns, right-open range)
        let learn: (onTaken: Bool, rightOpen: Bool)
        let pointer: AbstractValue
        if bounds(a, b) {
            pointer = a
            switch condition {
            case .gt: learn = (false, false)
            case .ge: learn = (false, true)
            case .lt: learn = (true, true)
            case .le: learn = (true, false)
            default: return nil
            }
        } else if bounds(b, a) {
            pointer = b
            switch condition {
            case .gt: learn = (true, true)
            case .ge: learn = (true, false)
            case .lt: learn = (false, false)
            case .le: learn = (false, true)
            default: return nil
            }
        } else {
            return nil
        }
        if learn.onTaken {
            provePacket(&taken, pointer: pointer, rightOpen: learn.rightOpen)
        } else {
            provePacket(&fallThrough, pointer: pointer, rightOpen: learn.rightOpen)
        }
        return (taken, fallThrough)
    }

    /// The kernel's find_good_pkt_pointers.
    private static func provePacket(_ state: inout PathState, pointer: AbstractValue, rightOpen: Bool) {
        guard pointer.offset >= 0, !(pointer.offset == 0 && rightOpen) else { return }
        guard pointer.range.umax <= 0xffff, Int(pointer.range.umax) + pointer.offset <= 0xffff else { return }
        let proven = pointer.offset + (rightOpen ? 1 : 0)
        let kind = pointer.kind, id = pointer.id
        state.updateAll { value in
            if value.kind == kind, value.id == id { value.packetRange = max(value.packetRange, proven) }
        }
    }
}
