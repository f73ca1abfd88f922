/// What the analysis knows of a 64-bit number, as the kernel's `bpf_reg_state` knows a
/// scalar: known bits (`bits`), unsigned and signed bounds of the whole value and of its low
/// 32 bits, each kept consistent with the others as the kernel's `reg_bounds_sync` keeps them.
struct ScalarRange: Hashable {
    var bits: Tnum
    var umin: UInt64
    var umax: UInt64
    var smin: Int64
    var smax: Int64
    var u32min: UInt32
    var u32max: UInt32
    var s32min: Int32
    var s32max: Int32

    static let unknown = ScalarRange(bits: .unknown, umin: 0, umax: .max, smin: .min, smax: .max,
                                     u32min: 0, u32max: .max, s32min: .min, s32max: .max)

    /// Only the 64-bit bounds known; the rest follows from them.
    init(umin: UInt64, umax: UInt64, smin: Int64, smax: Int64) {
        self = .unknown
        self.umin = umin
        self.umax = umax
        self.smin = smin
        self.smax = smax
        self = synced()
    }

    init(bits: Tnum, umin: UInt64, umax: UInt64, smin: Int64, smax: Int64,
         u32min: UInt32, u32max: UInt32, s32min: Int32, s32max: Int32) {
        self.bits = bits
        self.umin = umin
        self.umax = umax
        self.smin = smin
        self.smax = smax
        self.u32min = u32min
        self.u32max = u32max
        self.s32min = s32min
        self.s32max = s32max
    }

    static func constant(_ value: UInt64) -> ScalarRange {
        let low = UInt32(truncatingIfNeeded: value)
        return ScalarRange(bits: .constant(value), umin: value, umax: value,
                           smin: Int64(bitPattern: value), smax: Int64(bitPattern: value),
                           u32min: low, u32max: low, s32min: Int32(bitPattern: low), s32max: Int32(bitPattern: low))
    }

    /// Only the known bits; the bounds follow from them.
    static func knownBits(_ bits: Tnum) -> ScalarRange {
        var r = ScalarRange.unknown
        r.bits = bits
        return r.synced()
    }

    /// `[0, max]`.
    static func upTo(_ max: UInt64) -> ScalarRange {
        ScalarRange(umin: 0, umax: max, smin: .min, smax: .max)
    }

    /// What a zero-extending load of `bytes` gives.
    static func loaded(bytes: Int) -> ScalarRange {
        bytes >= 8 ? .unknown : .knownBits(Tnum.unknown.truncated(bytes: bytes))
    }

    /// What a sign-extending load of `bytes` gives (the kernel's `set_sext64_default_val`).
    static func loadedSigned(bytes: Int) -> ScalarRange {
        guard bytes < 8 else { return .unknown }
        let half = Int64(1) << Int64(bytes * 8 - 1)
        var r = ScalarRange.unknown
        r.smin = -half
        r.smax = half - 1
        r.s32min = Int32(truncatingIfNeeded: -half)
        r.s32max = Int32(truncatingIfNeeded: half - 1)
        return r.synced()
    }

    var constant: UInt64? { bits.isConstant ? bits.value : (umin == umax ? umin : nil) }
    /// The low 32 bits, when they are known.
    var constant32: UInt32? {
        bits.low32.isConstant ? UInt32(truncatingIfNeeded: bits.value) : (u32min == u32max ? u32min : nil)
    }
    var isUnknown: Bool { self == .unknown }
    /// No value satisfies the bounds: the path is impossible.
    var isEmpty: Bool {
        umin > umax || smin > smax || u32min > u32max || s32min > s32max
            || bits.value & bits.mask != 0 || bits.minimum > umax || bits.maximum < umin
    }
    var fits32: Bool { umax <= UInt64(UInt32.max) }

    /// Whether every value `other` allows, this allows too (the kernel's `range_within` and
    /// `tnum_in`).
    func covers(_ other: ScalarRange) -> Bool {
        umin <= other.umin && umax >= other.umax && smin <= other.smin && smax >= other.smax
            && u32min <= other.u32min && u32max >= other.u32max && s32min <= other.s32min && s32max >= other.s32max
            && bits.contains(other.bits)
    }

    func intersected(_ other: ScalarRange) -> ScalarRange {
        ScalarRange(bits: bits.intersected(other.bits), umin: max(umin, other.umin), umax: min(umax, other.umax),
                    smin: max(smin, other.smin), smax: min(smax, other.smax),
                    u32min: max(u32min, other.u32min), u32max: min(u32max, other.u32max),
                    s32min: max(s32min, other.s32min), s32max: min(s32max, other.s32max)).synced()
    }

    /// The low 32 bits as a number of their own (zero-extended), as a 32-bit ALU result is.
    var low32: ScalarRange {
        var r = self
        r.zeroExtend32()
        return r.synced()
    }

    /// The pointer-offset sum the kernel computes for `ptr += scalar`.
    func adding(_ other: ScalarRange) -> ScalarRange {
        ScalarArithmetic.apply(.add, is64: true, self, other)
    }

    func subtracting(_ other: ScalarRange) -> ScalarRange {
        ScalarArithmetic.apply(.sub, is64: true, self, other)
    }

    /// The known bits as the kernel's log prints them.
    var knownBits: String { bits.description }

    // MARK: keeping the views consistent (the kernel's reg_bounds_sync)

    /// Tightens every view from the others.
    func synced() -> ScalarRange {
        var r = self
        r.updateFromBits()
        r.deduce()
        r.deduce()
        r.deduce()
        r.boundBits()
        r.updateFromBits()
        return r
    }

    /// Bounds from the known bits (`__update_reg_bounds`).
    mutating func updateFromBits() {
        updateFromBits32()
        updateFromBits64()
    }

    mutating func updateFromBits32() {
        let low = bits.low32
        s32min = max(s32min, Int32(truncatingIfNeeded: low.value | (low.mask & 0x8000_0000)))
        s32max = min(s32max, Int32(truncatingIfNeeded: low.value | (low.mask & 0x7fff_ffff)))
        u32min = max(u32min, UInt32(truncatingIfNeeded: low.value))
        u32max = min(u32max, UInt32(truncatingIfNeeded: low.value | low.mask))
    }

    mutating func updateFromBits64() {
        smin = max(smin, Int64(bitPattern: bits.value | (bits.mask & (1 << 63))))
        smax = min(smax, Int64(bitPattern: bits.value | (bits.mask & ~(1 << 63))))
        umin = max(umin, bits.value)
        umax = min(umax, bits.value | bits.mask)
        // Linux 6.18: a u64 range and known bits that share a single value make the number that
        // constant (x ∈ {0, 64} and x ≥ 35 is 64); the 32-bit bounds are not looked at alone.
        if !bits.isConstant, let only = bits.onlyMember(from: umin, through: umax) { self = .constant(only) }
    }

    /// Bounds from bounds (`__reg_deduce_bounds`).
    private mutating func deduce() {
        deduce32()
        deduce64()
        deduceMixed()
    }

    private mutating func deduce32() {
        func low(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
        func slow(_ v: UInt64) -> Int32 { Int32(truncatingIfNeeded: v) }
        // The same upper half throughout: the low halves form a range of their own.
        if umin >> 32 == umax >> 32 {
            u32min = max(u32min, low(umin))
            u32max = min(u32max, low(umax))
            if slow(umin) <= slow(umax) {
                s32min = max(s32min, slow(umin))
                s32max = min(s32max, slow(umax))
            }
        }
        let sminBits = UInt64(bitPattern: smin), smaxBits = UInt64(bitPattern: smax)
        if smin >> 32 == smax >> 32 {
            u32min = max(u32min, low(sminBits))
            u32max = min(u32max, low(smaxBits))
            if slow(sminBits) <= slow(smaxBits) {
                s32min = max(s32min, slow(sminBits))
                s32max = min(s32max, slow(smaxBits))
            }
        }
        // Upper halves one apart and the low halves crossing from negative to positive.
        if low(umin >> 32) &+ 1 == low(umax >> 32), slow(umin) < 0, slow(umax) >= 0 {
            s32min = max(s32min, slow(umin))
            s32max = min(s32max, slow(umax))
        }
        if low(sminBits >> 32) &+ 1 == low(smaxBits >> 32), slow(sminBits) < 0, slow(smaxBits) >= 0 {
            s32min = max(s32min, slow(sminBits))
            s32max = min(s32max, slow(smaxBits))
        }
        Self.narrowEachOther(signed: &s32min, &s32max, unsigned: &u32min, &u32max)
    }

    private mutating func deduce64() {
        Self.narrowEachOther(signed: &smin, &smax, unsigned: &umin, &umax)
    }

    /// One width's signed and unsigned ranges narrowed by each other, as the kernel's
    /// __reg32/64_deduce_bounds do: the same rule at 32 and 64 bits.
    private static func narrowEachOther<Signed: FixedWidthInteger & SignedInteger, Unsigned: FixedWidthInteger & UnsignedInteger>(
        signed smin: inout Signed, _ smax: inout Signed, unsigned umin: inout Unsigned, _ umax: inout Unsigned
    ) {
        func asSigned(_ value: Unsigned) -> Signed { Signed(truncatingIfNeeded: value) }
        func asUnsigned(_ value: Signed) -> Unsigned { Unsigned(truncatingIfNeeded: value) }
        if asSigned(umin) <= asSigned(umax) {
            smin = max(smin, asSigned(umin))
            smax = min(smax, asSigned(umax))
        }
        if asUnsigned(smin) <= asUnsigned(smax) {
            umin = max(umin, asUnsigned(smin))
            umax = min(umax, asUnsigned(smax))
        } else if umax < asUnsigned(smin) {
            // The signed range wraps; the unsigned one lies in its non-negative part only.
            smin = asSigned(umin)
            umax = min(umax, asUnsigned(smax))
        } else if asUnsigned(smax) < umin {
            // ... or in its negative part only.
            smax = asSigned(umax)
            umin = max(umin, asUnsigned(smin))
        }
    }

    private mutating func deduceMixed() {
        let high: UInt64 = ~0xffff_ffff
        umin = max(umin, (umin & high) | UInt64(u32min))
        umax = min(umax, (umax & high) | UInt64(u32max))
        smin = max(smin, Int64(bitPattern: (UInt64(bitPattern: smin) & high) | UInt64(u32min)))
        smax = min(smax, Int64(bitPattern: (UInt64(bitPattern: smax) & high) | UInt64(u32max)))
        // A sign-extended 32-bit value that is not negative: its 64-bit bounds are its 32-bit ones.
        // (Contradictory bounds, s32max below s32min, are left for isEmpty to find.)
        if s32min >= 0, s32max >= s32min, smin >= Int64(Int32.min), smax <= Int64(Int32.max) {
            smin = Int64(s32min)
            smax = Int64(s32max)
            umin = UInt64(s32min)
            umax = UInt64(s32max)
            bits = bits.intersected(.range(umin, umax))
        }
    }

    /// Known bits from the bounds (`__reg_bound_offset`).
    private mutating func boundBits() {
        let whole = bits.intersected(.range(umin, umax))
        let low = whole.low32.intersected(.range(UInt64(u32min), UInt64(u32max)))
        bits = Tnum(value: whole.value & ~0xffff_ffff, mask: whole.mask & ~0xffff_ffff) | low
    }

    // MARK: pieces the arithmetic uses

    mutating func unbound64() {
        umin = 0; umax = .max; smin = .min; smax = .max
    }

    mutating func unbound32() {
        u32min = 0; u32max = .max; s32min = .min; s32max = .max
    }

    /// A 32-bit result written to a register: the upper half is zero (`zext_32_to_64`).
    mutating func zeroExtend32() {
        bits = bits.low32
        umin = UInt64(u32min)
        umax = UInt64(u32max)
        smin = s32min >= 0 ? Int64(s32min) : 0
        smax = s32min >= 0 && s32max >= 0 ? Int64(s32max) : Int64(UInt32.max)
    }

    /// The low 32 bits alone known to be `value`.
    mutating func setLow32(_ value: UInt32) {
        bits = bits.withLow32(.constant(UInt64(value)))
        u32min = value
        u32max = value
        s32min = Int32(bitPattern: value)
        s32max = Int32(bitPattern: value)
    }
}
