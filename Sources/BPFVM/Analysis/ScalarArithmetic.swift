import BPFCore

/// Arithmetic on `ScalarRange`s: exact on constants (with the ISA's rules, `ALUSemantics`),
/// bounds for the operations whose bounds follow from their operands', the full range otherwise.
enum ScalarArithmetic {
    /// The result of `dst = dst op src`; `lossy` when it is the full range although the operands
    /// were not, where the kernel's known-bits tracking may still know something.
    static func apply(_ kind: ALUKind, is64: Bool, _ dst: ScalarRange, _ src: ScalarRange)
        -> (range: ScalarRange, lossy: Bool) {
        // A shift by the width or more (from a register) the kernel leaves unknown, all 64 bits.
        if [ALUKind.lsh, .rsh, .arsh].contains(kind), src.umax >= (is64 ? 64 : 32) {
            return (.unknown, false)
        }
        let known: (UInt64, UInt64)?
        switch kind {
        case .mov, .movsx: known = src.constant.map { (0, $0) }
        case .neg: known = dst.constant.map { ($0, 0) }
        default: known = dst.constant.flatMap { a in src.constant.map { (a, $0) } }
        }
        if let (a, b) = known, let value = exact(kind, is64: is64, a, b) {
            return (.constant(value), false)
        }
        let left = is64 ? dst : dst.low32, right = is64 ? src : src.low32
        if !is64, kind == .add || kind == .sub, let wrapped = add32(kind, left, right, src.constant) {
            return (wrapped, false)
        }
        var result = bounds(kind, left, right)
        if !is64 { result = result.low32 }
        let lossy = result.isUnknown || (!is64 && result == .upTo(UInt64(UInt32.max)))
        return (result, lossy && !(left.isUnknown && right.isUnknown))
    }

    /// A 32-bit add or sub on 32-bit ranges, wrapping as the hardware does: exact when every
    /// result wraps the same way (none, or all). A constant operand counts as signed, so
    /// `w9 += -1` on [1, 256] gives [0, 255], as the kernel's signed 32-bit bounds give it.
    private static func add32(_ kind: ALUKind, _ a: ScalarRange, _ b: ScalarRange, _ constant: UInt64?) -> ScalarRange? {
        guard a.fits32, b.fits32 || constant != nil else { return nil }
        var low: Int64, high: Int64
        if let constant {
            let step = Int64(Int32(truncatingIfNeeded: constant)) * (kind == .add ? 1 : -1)
            low = Int64(a.umin) + step
            high = Int64(a.umax) + step
        } else if kind == .add {
            low = Int64(a.umin) + Int64(b.umin)
            high = Int64(a.umax) + Int64(b.umax)
        } else {
            low = Int64(a.umin) - Int64(b.umax)
            high = Int64(a.umax) - Int64(b.umin)
        }
        let span = Int64(1) << 32
        if low >= span { low -= span; high -= span } else if high < 0 { low += span; high += span }
        guard low >= 0, high < span else { return nil }
        return ScalarRange(umin: UInt64(low), umax: UInt64(high), smin: .min, smax: .max).synced()
    }

    /// The ISA's result on known operands (shift amounts masked, division by RFC 9669).
    private static func exact(_ kind: ALUKind, is64: Bool, _ a: UInt64, _ b: UInt64) -> UInt64? {
        if !is64 {
            let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
            let result: UInt32
            switch kind {
            case .add: result = x &+ y
            case .sub: result = x &- y
            case .mul: result = x &* y
            case .div: result = ALUSemantics.div32(x, y)
            case .mod: return ALUSemantics.mod32(a, b)
            case .sdiv: return ALUSemantics.sdiv32(a, b)
            case .smod: return ALUSemantics.smod32(a, b)
            case .or: result = x | y
            case .and: result = x & y
            case .xor: result = x ^ y
            case .lsh: result = x << (y & 31)
            case .rsh: result = x >> (y & 31)
            case .arsh: return ALUSemantics.arsh32(a, UInt64(y & 31))
            case .neg: result = 0 &- x
            case .mov: result = y
            case .movsx(let bits):
                switch bits {
                case 8: result = UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: y)))
                case 16: result = UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: y)))
                default: return nil
                }
            }
            return UInt64(result)
        }
        switch kind {
        case .add: return a &+ b
        case .sub: return a &- b
        case .mul: return a &* b
        case .div: return ALUSemantics.div64(a, b)
        case .mod: return ALUSemantics.mod64(a, b)
        case .sdiv: return ALUSemantics.sdiv64(a, b)
        case .smod: return ALUSemantics.smod64(a, b)
        case .or: return a | b
        case .and: return a & b
        case .xor: return a ^ b
        case .lsh: return a << (b & 63)
        case .rsh: return a >> (b & 63)
        case .arsh: return UInt64(bitPattern: Int64(bitPattern: a) >> Int64(b & 63))
        case .neg: return 0 &- a
        case .mov: return b
        case .movsx(let bits):
            switch bits {
            case 8: return UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: b)))
            case 16: return UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: b)))
            case 32: return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: b)))
            default: return nil
            }
        }
    }

    private static func bounds(_ kind: ALUKind, _ a: ScalarRange, _ b: ScalarRange) -> ScalarRange {
        switch kind {
        case .mov:
            return b
        case .add:
            return a.adding(b)
        case .sub:
            return a.subtracting(b)
        case .mul:
            guard a.umax <= UInt64(UInt32.max), b.umax <= UInt64(UInt32.max) else { return .unknown }
            return ScalarRange(umin: a.umin * b.umin, umax: a.umax * b.umax, smin: .min, smax: .max).synced()
        case .and:
            return .upTo(min(a.umax, b.umax))
        case .or, .xor:
            let top = max(a.umax, b.umax)
            let ceiling = top == 0 ? 0 : UInt64.max >> UInt64(top.leadingZeroBitCount)
            var result = ScalarRange.upTo(ceiling)
            if kind == .or { result.umin = max(a.umin, b.umin) }
            return result.synced()
        case .lsh:
            guard let shift = b.constant, shift < 64, a.umax <= UInt64.max >> shift else { return .unknown }
            return ScalarRange(umin: a.umin << shift, umax: a.umax << shift, smin: .min, smax: .max).synced()
        case .rsh:
            guard let shift = b.constant, shift < 64 else { return .unknown }
            return ScalarRange(umin: a.umin >> shift, umax: a.umax >> shift, smin: .min, smax: .max).synced()
        case .arsh:
            guard let shift = b.constant, shift < 64 else { return .unknown }
            return ScalarRange(umin: 0, umax: .max, smin: a.smin >> Int64(shift), smax: a.smax >> Int64(shift)).synced()
        case .div:
            guard let divisor = b.constant else { return .unknown }
            if divisor == 0 { return .constant(0) }
            return ScalarRange(umin: a.umin / divisor, umax: a.umax / divisor, smin: .min, smax: .max).synced()
        case .mod:
            guard let divisor = b.constant else { return .unknown }
            if divisor == 0 { return a }
            return a.umax < divisor ? a : .upTo(divisor - 1)
        case .movsx(let bits):
            guard bits < 64 else { return b }
            let half = UInt64(1) << UInt64(bits - 1)
            if b.umax < half { return b }
            return ScalarRange(umin: 0, umax: .max, smin: -Int64(half), smax: Int64(half) - 1).synced()
        case .neg, .sdiv, .smod:
            return .unknown
        }
    }

    /// A byte-order operation: exact on a constant, else the bits it keeps.
    static func byteOrder(_ kind: ByteOrderKind, bits: Int, _ value: ScalarRange) -> ScalarRange {
        if let constant = value.constant {
            let mask: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
            let low = constant & mask
            guard kind != .toLittleEndian else { return .constant(low) }
            switch bits {
            case 16: return .constant(UInt64(UInt16(truncatingIfNeeded: low).byteSwapped))
            case 32: return .constant(UInt64(UInt32(truncatingIfNeeded: low).byteSwapped))
            default: return .constant(low.byteSwapped)
            }
        }
        return bits >= 64 ? .unknown : .upTo((1 << UInt64(bits)) - 1)
    }
}
