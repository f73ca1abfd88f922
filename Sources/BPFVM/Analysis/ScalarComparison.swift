import BPFCore

/// What a comparison of two number ranges decides, and what each outcome teaches of them.
enum ScalarComparison {
    /// True or false when every pair of values gives that outcome; nil when both may happen.
    static func decide(_ condition: JumpCondition, _ a: ScalarRange, _ b: ScalarRange) -> Bool? {
        switch condition {
        case .eq:
            if let x = a.constant, let y = b.constant { return x == y }
            if a.umax < b.umin || a.umin > b.umax || a.smax < b.smin || a.smin > b.smax { return false }
            return nil
        case .ne:
            return decide(.eq, a, b).map { !$0 }
        case .gt:
            if a.umin > b.umax { return true }
            if a.umax <= b.umin { return false }
            return nil
        case .ge:
            if a.umin >= b.umax { return true }
            if a.umax < b.umin { return false }
            return nil
        case .lt:
            return decide(.gt, b, a)
        case .le:
            return decide(.ge, b, a)
        case .sgt:
            if a.smin > b.smax { return true }
            if a.smax <= b.smin { return false }
            return nil
        case .sge:
            if a.smin >= b.smax { return true }
            if a.smax < b.smin { return false }
            return nil
        case .slt:
            return decide(.sgt, b, a)
        case .sle:
            return decide(.sge, b, a)
        case .set:
            if let x = a.constant, let y = b.constant { return x & y != 0 }
            if let y = b.constant, y != 0, a.umax < UInt64(1) << UInt64(y.trailingZeroBitCount) { return false }
            return nil
        }
    }

    /// Both ranges narrowed by `condition` having the outcome `taken`.
    static func refine(_ condition: JumpCondition, _ a: ScalarRange, _ b: ScalarRange,
                       taken: Bool) -> (ScalarRange, ScalarRange) {
        var a = a, b = b
        let effective: JumpCondition? = taken ? condition : negated(condition)
        switch effective {
        case .eq?:
            let both = a.intersected(b)
            return (both, both)
        case .ne?:
            if let c = b.constant { a = excluding(c, from: a) }
            if let c = a.constant { b = excluding(c, from: b) }
        case .gt?:
            if b.umin == .max || a.umax == 0 { return (empty, empty) }
            a.umin = max(a.umin, b.umin + 1)
            b.umax = min(b.umax, a.umax - 1)
        case .ge?:
            a.umin = max(a.umin, b.umin)
            b.umax = min(b.umax, a.umax)
        case .lt?:
            let (nb, na) = refine(.gt, b, a, taken: true)
            return (na, nb)
        case .le?:
            let (nb, na) = refine(.ge, b, a, taken: true)
            return (na, nb)
        case .sgt?:
            if b.smin == .max || a.smax == .min { return (empty, empty) }
            a.smin = max(a.smin, b.smin + 1)
            b.smax = min(b.smax, a.smax - 1)
        case .sge?:
            a.smin = max(a.smin, b.smin)
            b.smax = min(b.smax, a.smax)
        case .slt?:
            let (nb, na) = refine(.sgt, b, a, taken: true)
            return (na, nb)
        case .sle?:
            let (nb, na) = refine(.sge, b, a, taken: true)
            return (na, nb)
        case .set?, nil:
            break
        }
        return (a.synced(), b.synced())
    }

    private static let empty = ScalarRange(umin: 1, umax: 0, smin: 1, smax: 0)

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

    private static func excluding(_ value: UInt64, from range: ScalarRange) -> ScalarRange {
        var r = range
        if r.umin == value, r.umin < r.umax { r.umin += 1 } else if r.umin == value, r.umin == r.umax { return empty }
        if r.umax == value, r.umax > r.umin { r.umax -= 1 }
        let signed = Int64(bitPattern: value)
        if r.smin == signed, r.smin < r.smax { r.smin += 1 }
        if r.smax == signed, r.smax > r.smin { r.smax -= 1 }
        return r.synced()
    }
}
