/// What the analysis knows of a 64-bit number: unsigned and signed bounds, kept consistent
/// with each other as the kernel's `reg_bounds_sync` keeps them. Operations that would need
/// more than bounds to stay precise give the full range (see `PathState.imprecise`).
struct ScalarRange: Hashable {
    var umin: UInt64
    var umax: UInt64
    var smin: Int64
    var smax: Int64

    static let unknown = ScalarRange(umin: 0, umax: .max, smin: .min, smax: .max)

    static func constant(_ value: UInt64) -> ScalarRange {
        ScalarRange(umin: value, umax: value, smin: Int64(bitPattern: value), smax: Int64(bitPattern: value))
    }

    /// `[0, max]`.
    static func upTo(_ max: UInt64) -> ScalarRange {
        ScalarRange(umin: 0, umax: max, smin: .min, smax: .max).synced()
    }

    /// What a zero-extending load of `bytes` gives.
    static func loaded(bytes: Int) -> ScalarRange {
        bytes >= 8 ? .unknown : .upTo((1 << UInt64(bytes * 8)) - 1)
    }

    /// What a sign-extending load of `bytes` gives.
    static func loadedSigned(bytes: Int) -> ScalarRange {
        guard bytes < 8 else { return .unknown }
        let half = Int64(1) << Int64(bytes * 8 - 1)
        return ScalarRange(umin: 0, umax: .max, smin: -half, smax: half - 1).synced()
    }

    var constant: UInt64? { umin == umax ? umin : nil }
    var isUnknown: Bool { self == .unknown }
    /// No value satisfies the bounds: the path is impossible.
    var isEmpty: Bool { umin > umax || smin > smax }
    var fits32: Bool { umax <= UInt64(UInt32.max) }

    /// Whether every value `other` allows, this allows too.
    func covers(_ other: ScalarRange) -> Bool {
        umin <= other.umin && umax >= other.umax && smin <= other.smin && smax >= other.smax
    }

    /// Tightens each pair of bounds from the other.
    func synced() -> ScalarRange {
        var r = self
        for _ in 0 ..< 2 {
            if r.umax <= UInt64(Int64.max) || r.umin > UInt64(Int64.max) {
                // The unsigned range does not cross the sign boundary: it is a signed range too.
                r.smin = max(r.smin, Int64(bitPattern: r.umin))
                r.smax = min(r.smax, Int64(bitPattern: r.umax))
            }
            if r.smin >= 0 || r.smax < 0 {
                r.umin = max(r.umin, UInt64(bitPattern: r.smin))
                r.umax = min(r.umax, UInt64(bitPattern: r.smax))
            }
        }
        return r
    }

    func intersected(_ other: ScalarRange) -> ScalarRange {
        ScalarRange(umin: max(umin, other.umin), umax: min(umax, other.umax),
                    smin: max(smin, other.smin), smax: min(smax, other.smax)).synced()
    }

    /// The low 32 bits, zero-extended, when they are known to be the whole value; else [0, 2^32).
    var low32: ScalarRange {
        if let value = constant { return .constant(value & 0xffff_ffff) }
        if fits32 { return self }
        // The same upper half throughout: the low halves form a range of their own.
        if umin >> 32 == umax >> 32 {
            return ScalarRange(umin: umin & 0xffff_ffff, umax: umax & 0xffff_ffff, smin: .min, smax: .max).synced()
        }
        return .upTo(UInt64(UInt32.max))
    }

    /// The range shifted by a known amount, or nil when it could wrap.
    func adding(_ other: ScalarRange) -> ScalarRange {
        let (lo, o1) = umin.addingReportingOverflow(other.umin)
        let (hi, o2) = umax.addingReportingOverflow(other.umax)
        var result = ScalarRange.unknown
        if !o1, !o2 { result.umin = lo; result.umax = hi }
        let (slo, s1) = smin.addingReportingOverflow(other.smin)
        let (shi, s2) = smax.addingReportingOverflow(other.smax)
        if !s1, !s2 { result.smin = slo; result.smax = shi }
        return result.synced()
    }

    func subtracting(_ other: ScalarRange) -> ScalarRange {
        var result = ScalarRange.unknown
        if umin >= other.umax { result.umin = umin - other.umax; result.umax = umax - other.umin }
        let (slo, s1) = smin.subtractingReportingOverflow(other.smax)
        let (shi, s2) = smax.subtractingReportingOverflow(other.smin)
        if !s1, !s2 { result.smin = slo; result.smax = shi }
        return result.synced()
    }

    /// The known bits the range implies, as the kernel's log prints a tnum: `(0x0; 0x1f)`
    /// (value; mask of unknown bits), as `tnum_range` builds it from the bounds.
    var knownBits: String {
        let differing = umin ^ umax
        let unknown: UInt64 = differing == 0 ? 0 : (differing.leadingZeroBitCount == 0 ? .max : (1 << UInt64(64 - differing.leadingZeroBitCount)) - 1)
        return "(0x\(String(umin & ~unknown, radix: 16)); 0x\(String(unknown, radix: 16)))"
    }
}
