import BPFCore

/// What a comparison of two numbers decides, and what each outcome teaches of them, as the
/// kernel's `is_scalar_branch_taken` and `regs_refine_cond_op` do: on the 64-bit views or, for
/// a 32-bit jump, on the low halves' bounds and known bits.
enum ScalarComparison {
    /// One side's view for a comparison of the given width.
    private struct View {
        var bits: Tnum
        var umin: UInt64, umax: UInt64
        var smin: Int64, smax: Int64

        init(_ r: ScalarRange, is64: Bool) {
            if is64 {
                bits = r.bits; umin = r.umin; umax = r.umax; smin = r.smin; smax = r.smax
            } else {
                bits = r.bits.low32
                umin = UInt64(r.u32min); umax = UInt64(r.u32max)
                smin = Int64(r.s32min); smax = Int64(r.s32max)
            }
        }
    }

    /// True or false when every pair of values gives that outcome; nil when both may happen.
    static func decide(_ condition: JumpCondition, is64: Bool, _ a: ScalarRange, _ b: ScalarRange) -> Bool? {
        let x = View(a, is64: is64), y = View(b, is64: is64)
        switch condition {
        case .eq:
            if x.bits.isConstant, y.bits.isConstant { return x.bits.value == y.bits.value }
            if !x.bits.overlaps(y.bits) { return false }
            if x.umin > y.umax || x.umax < y.umin || x.smin > y.smax || x.smax < y.smin { return false }
            if is64 {
                // The low halves may rule it out where the whole values do not.
                if a.u32min > b.u32max || a.u32max < b.u32min || a.s32min > b.s32max || a.s32max < b.s32min { return false }
            }
            return nil
        case .ne:
            return decide(.eq, is64: is64, a, b).map { !$0 }
        case .set:
            let (value, other): (View, View) = y.bits.isConstant ? (x, y) : (y, x)
            guard other.bits.isConstant else { return nil }
            if value.bits.value & other.bits.value != 0 { return true }
            if (value.bits.value | value.bits.mask) & other.bits.value == 0 { return false }
            return nil
        case .gt:
            if x.umin > y.umax { return true }
            if x.umax <= y.umin { return false }
        case .ge:
            if x.umin >= y.umax { return true }
            if x.umax < y.umin { return false }
        case .lt:
            if x.umax < y.umin { return true }
            if x.umin >= y.umax { return false }
        case .le:
            if x.umax <= y.umin { return true }
            if x.umin > y.umax { return false }
        case .sgt:
            if x.smin > y.smax { return true }
            if x.smax <= y.smin { return false }
        case .sge:
            if x.smin >= y.smax { return true }
            if x.smax < y.smin { return false }
        case .slt:
            if x.smax < y.smin { return true }
            if x.smin >= y.smax { return false }
        case .sle:
            if x.smax <= y.smin { return true }
            if x.smin > y.smax { return false }
        }
        return nil
    }

    /// Both numbers narrowed by `condition` having the outcome `taken` (which `decide` left
    /// open).
    static func refine(_ condition: JumpCondition, is64: Bool, _ a: ScalarRange, _ b: ScalarRange,
                       taken: Bool) -> (ScalarRange, ScalarRange) {
        var a = a, b = b
        switch taken ? condition : negated(condition) {
        case .gt: lessThan(&b, &a, orEqual: false, signed: false, is64: is64)
        case .ge: lessThan(&b, &a, orEqual: true, signed: false, is64: is64)
        case .lt: lessThan(&a, &b, orEqual: false, signed: false, is64: is64)
        case .le: lessThan(&a, &b, orEqual: true, signed: false, is64: is64)
        case .sgt: lessThan(&b, &a, orEqual: false, signed: true, is64: is64)
        case .sge: lessThan(&b, &a, orEqual: true, signed: true, is64: is64)
        case .slt: lessThan(&a, &b, orEqual: false, signed: true, is64: is64)
        case .sle: lessThan(&a, &b, orEqual: true, signed: true, is64: is64)
        case .eq: equal(&a, &b, is64: is64)
        case .ne:
            if constant(b, is64) != nil { notEqual(&a, b, is64: is64) } else if constant(a, is64) != nil { notEqual(&b, a, is64: is64) }
        case .set:
            // Taken: the bit of a single-bit mask is set.
            if let mask = constant(b, is64) { setBits(&a, mask, is64: is64) } else if let mask = constant(a, is64) { setBits(&b, mask, is64: is64) }
        case nil:
            // Not taken: the mask's bits are clear.
            if let mask = constant(b, is64) { clearBits(&a, mask, is64: is64) } else if let mask = constant(a, is64) { clearBits(&b, mask, is64: is64) }
        }
        return (a.synced(), b.synced())
    }

    private static func constant(_ r: ScalarRange, _ is64: Bool) -> UInt64? {
        is64 ? (r.bits.isConstant ? r.bits.value : nil) : (r.bits.low32.isConstant ? r.bits.low32.value : nil)
    }

    /// `a < b` (or `<=`): a's maximum below b's, b's minimum above a's.
    private static func lessThan(_ a: inout ScalarRange, _ b: inout ScalarRange, orEqual: Bool, signed: Bool, is64: Bool) {
        switch (signed, is64) {
        case (false, true):
            let aWas = a, bWas = b
            a.umax = min(a.umax, orEqual ? b.umax : b.umax &- 1)
            b.umin = max(b.umin, orEqual ? a.umin : a.umin &+ 1)
            forgetCrossingSignedBounds(&a, was: aWas)
            forgetCrossingSignedBounds(&b, was: bWas)
        case (false, false):
            a.u32max = min(a.u32max, orEqual ? b.u32max : b.u32max &- 1)
            b.u32min = max(b.u32min, orEqual ? a.u32min : a.u32min &+ 1)
        case (true, true):
            a.smax = min(a.smax, orEqual ? b.smax : b.smax &- 1)
            b.smin = max(b.smin, orEqual ? a.smin : a.smin &+ 1)
        case (true, false):
            a.s32max = min(a.s32max, orEqual ? b.s32max : b.s32max &- 1)
            b.s32min = max(b.s32min, orEqual ? a.s32min : a.s32min &+ 1)
        }
    }

    /// Linux 6.18, measured: an unsigned 64-bit compare that narrows a number whose signed
    /// bounds cross zero leaves it the signed bounds of its new unsigned ones, the old signed
    /// ones forgotten (tstamp s< 45 then u<= 96 is [0, 96], not [0, 44]); the 32-bit bounds,
    /// kept, still bring back what fits in them.
    private static func forgetCrossingSignedBounds(_ r: inout ScalarRange, was: ScalarRange) {
        guard r.umin != was.umin || r.umax != was.umax,
              UInt64(bitPattern: was.smin) > UInt64(bitPattern: was.smax),
              Int64(bitPattern: r.umin) <= Int64(bitPattern: r.umax) else { return }
        r.smin = Int64(bitPattern: r.umin)
        r.smax = Int64(bitPattern: r.umax)
    }

    /// Whether `after` lost signed bounds that `before` had (then it replaces them, not narrows).
    static func forgotSignedBounds(_ before: ScalarRange, _ after: ScalarRange) -> Bool {
        after.smin < before.smin || after.smax > before.smax
    }

    private static func equal(_ a: inout ScalarRange, _ b: inout ScalarRange, is64: Bool) {
        if is64 {
            a.umin = max(a.umin, b.umin); a.umax = min(a.umax, b.umax)
            a.smin = max(a.smin, b.smin); a.smax = min(a.smax, b.smax)
            b.umin = a.umin; b.umax = a.umax; b.smin = a.smin; b.smax = a.smax
            a.bits = a.bits.intersected(b.bits)
            b.bits = a.bits
        } else {
            a.u32min = max(a.u32min, b.u32min); a.u32max = min(a.u32max, b.u32max)
            a.s32min = max(a.s32min, b.s32min); a.s32max = min(a.s32max, b.s32max)
            b.u32min = a.u32min; b.u32max = a.u32max; b.s32min = a.s32min; b.s32max = a.s32max
            let low = a.bits.low32.intersected(b.bits.low32)
            a.bits = a.bits.withLow32(low)
            b.bits = b.bits.withLow32(low)
        }
    }

    /// Not equal to a constant: a bound equal to it moves past it.
    private static func notEqual(_ a: inout ScalarRange, _ value: ScalarRange, is64: Bool) {
        if is64 {
            let v = value.bits.value
            if a.umin == v { a.umin &+= 1 }
            if a.umax == v { a.umax &-= 1 }
            if a.smin == Int64(bitPattern: v) { a.smin &+= 1 }
            if a.smax == Int64(bitPattern: v) { a.smax &-= 1 }
        } else {
            let v = UInt32(truncatingIfNeeded: value.bits.value)
            if a.u32min == v { a.u32min &+= 1 }
            if a.u32max == v { a.u32max &-= 1 }
            if a.s32min == Int32(bitPattern: v) { a.s32min &+= 1 }
            if a.s32max == Int32(bitPattern: v) { a.s32max &-= 1 }
        }
    }

    private static func setBits(_ a: inout ScalarRange, _ mask: UInt64, is64: Bool) {
        // Only a single bit says which bit is set.
        guard mask != 0, mask & (mask - 1) == 0 else { return }
        a.bits = is64 ? a.bits | .constant(mask) : a.bits.withLow32(a.bits.low32 | .constant(mask))
    }

    /// The kernel forgets every bound first and keeps only the known bits, so that a dead
    /// branch cannot break the bounds' invariants (regs_refine_cond_op in Linux 6.18): a bound
    /// learned before, such as `s<= 0`, is lost here, and what the cleared bits allow is all.
    private static func clearBits(_ a: inout ScalarRange, _ mask: UInt64, is64: Bool) {
        let bits = is64 ? a.bits & .constant(~mask) : a.bits.withLow32(a.bits.low32 & .constant(~mask))
        a = .unknown
        a.bits = bits
    }

    /// The condition that holds when `condition` does not; nil for `set`, whose negation is no
    /// comparison.
    private static func negated(_ condition: JumpCondition) -> JumpCondition? {
        switch condition {
        case .eq: .ne
        case .ne: .eq
        case .gt: .le
        case .ge: .lt
        case .lt: .ge
        case .le: .gt
        case .sgt: .sle
        case .sge: .slt
        case .slt: .sge
        case .sle: .sgt
        case .set: nil
        }
    }
}
