/// Known bits of a number, as the kernel's verifier tracks them (`struct tnum`): each bit is
/// known to be `value`'s where `mask` has a 0, unknown where it has a 1. The operations give
/// what the kernel's give, so both verifiers know the same bits after the same instructions.
struct Tnum: Hashable {
    var value: UInt64
    var mask: UInt64

    static let unknown = Tnum(value: 0, mask: .max)

    static func constant(_ value: UInt64) -> Tnum { Tnum(value: value, mask: 0) }

    /// The bits every value in `min ... max` (unsigned) shares: those above the highest bit
    /// in which the two ends differ.
    static func range(_ min: UInt64, _ max: UInt64) -> Tnum {
        let differing = min ^ max
        guard differing != 0 else { return .constant(min) }
        let bits = 64 - differing.leadingZeroBitCount
        guard bits < 64 else { return .unknown }
        let low: UInt64 = (1 << UInt64(bits)) - 1
        return Tnum(value: min & ~low, mask: low)
    }

    var isConstant: Bool { mask == 0 }
    /// The smallest and largest values the bits allow (unsigned).
    var minimum: UInt64 { value }
    var maximum: UInt64 { value | mask }

    /// Whether every value `other` allows, this allows too (`tnum_in`).
    func contains(_ other: Tnum) -> Bool {
        guard other.mask & ~mask == 0 else { return false }
        return value == other.value & ~mask
    }

    /// Whether some value fits both (the kernel's `tnum_overlap`).
    func overlaps(_ other: Tnum) -> Bool {
        let known = ~mask & ~other.mask
        return (value ^ other.value) & known == 0
    }

    static func << (a: Tnum, shift: UInt64) -> Tnum {
        Tnum(value: a.value << shift, mask: a.mask << shift)
    }

    static func >> (a: Tnum, shift: UInt64) -> Tnum {
        Tnum(value: a.value >> shift, mask: a.mask >> shift)
    }

    /// An arithmetic shift right, of the low 32 bits (zero-extended) or of all 64.
    func arithmeticShiftRight(_ shift: UInt64, is64: Bool) -> Tnum {
        if is64 {
            return Tnum(value: UInt64(bitPattern: Int64(bitPattern: value) >> Int64(shift)),
                        mask: UInt64(bitPattern: Int64(bitPattern: mask) >> Int64(shift)))
        }
        let v = Int32(truncatingIfNeeded: value) >> Int32(shift), m = Int32(truncatingIfNeeded: mask) >> Int32(shift)
        return Tnum(value: UInt64(UInt32(bitPattern: v)), mask: UInt64(UInt32(bitPattern: m)))
    }

    static func + (a: Tnum, b: Tnum) -> Tnum {
        let masks = a.mask &+ b.mask, values = a.value &+ b.value
        let carries = (masks &+ values) ^ values
        let unknown = carries | a.mask | b.mask
        return Tnum(value: values & ~unknown, mask: unknown)
    }

    static func - (a: Tnum, b: Tnum) -> Tnum {
        let difference = a.value &- b.value
        let borrows = (difference &+ a.mask) ^ (difference &- b.mask)
        let unknown = borrows | a.mask | b.mask
        return Tnum(value: difference & ~unknown, mask: unknown)
    }

    static func & (a: Tnum, b: Tnum) -> Tnum {
        let value = a.value & b.value
        return Tnum(value: value, mask: (a.value | a.mask) & (b.value | b.mask) & ~value)
    }

    static func | (a: Tnum, b: Tnum) -> Tnum {
        let value = a.value | b.value
        return Tnum(value: value, mask: (a.mask | b.mask) & ~value)
    }

    static func ^ (a: Tnum, b: Tnum) -> Tnum {
        let unknown = a.mask | b.mask
        return Tnum(value: (a.value ^ b.value) & ~unknown, mask: unknown)
    }

    /// A product, summing the partial products of `a`'s bits as the kernel's `tnum_mul` does.
    static func * (a: Tnum, b: Tnum) -> Tnum {
        var a = a, b = b
        let known = a.value &* b.value
        var uncertain = Tnum.constant(0)
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 != 0 {
                uncertain = uncertain + Tnum(value: 0, mask: b.mask)
            } else if a.mask & 1 != 0 {
                uncertain = uncertain + Tnum(value: 0, mask: b.value | b.mask)
            }
            a = a >> 1
            b = b << 1
        }
        return .constant(known) + uncertain
    }

    /// The bits both know (for a value both describe).
    /// The smallest value these bits allow that is at least `z` (the kernel's tnum_step asks
    /// the same past a value); nil when none is. It agrees with `z` above some bit that it sets
    /// where `z` has 0, and is least below it: the lowest such bit gives the smallest.
    func smallestMember(atLeast z: UInt64) -> UInt64? {
        if z <= value { return value }
        if z > maximum { return nil }
        if z & ~mask == value { return z }
        for p in 0 ..< 64 {
            let bit: UInt64 = 1 << UInt64(p)
            guard z & bit == 0, mask & bit != 0 || value & bit != 0 else { continue }
            let above = p == 63 ? 0 : ~((bit << 1) &- 1)
            guard z & above & ~mask == value & above else { continue }
            return (z & above) | bit | (value & (bit &- 1))
        }
        return nil
    }

    /// The one value these bits and `[low, high]` share, if they share exactly one.
    func onlyMember(from low: UInt64, through high: UInt64) -> UInt64? {
        // The usual case, asked at every bounds sync: the range spans the smallest and the
        // largest value, two at least, without stepping through the bits.
        if mask != 0, low <= value, high >= maximum { return nil }
        guard let first = smallestMember(atLeast: low), first <= high else { return nil }
        guard first < .max, let next = smallestMember(atLeast: first + 1) else { return first }
        return next > high ? first : nil
    }

    func intersected(_ other: Tnum) -> Tnum {
        let v = value | other.value, m = mask & other.mask
        return Tnum(value: v & ~m, mask: m)
    }

    /// The low `bytes` bytes, zero-extended.
    func truncated(bytes: Int) -> Tnum {
        guard bytes < 8 else { return self }
        let keep: UInt64 = (1 << UInt64(bytes * 8)) - 1
        return Tnum(value: value & keep, mask: mask & keep)
    }

    /// The low 32 bits, zero-extended (`tnum_subreg`).
    var low32: Tnum { truncated(bytes: 4) }

    /// This with its low 32 bits replaced by `low`'s (`tnum_with_subreg`).
    func withLow32(_ low: Tnum) -> Tnum {
        Tnum(value: value & ~0xffff_ffff, mask: mask & ~0xffff_ffff) | low.low32
    }

    /// As the kernel's log prints it: `(0x0; 0x1f)`.
    var description: String { "(0x\(String(value, radix: 16)); 0x\(String(mask, radix: 16)))" }
}
