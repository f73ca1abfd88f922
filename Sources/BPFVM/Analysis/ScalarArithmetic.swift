import BPFCore

/// Arithmetic on `ScalarRange`s as the kernel's `adjust_scalar_min_max_vals` does it: known
/// bits and the 32- and 64-bit bounds of each operation, exact on constants, everything
/// unknown where the kernel gives up (division, modulo, a shift by a register that is not a
/// constant below the width).
enum ScalarArithmetic {
    /// The result of `dst = dst op src`.
    static func apply(_ kind: ALUKind, is64: Bool, _ dst: ScalarRange, _ src: ScalarRange) -> ScalarRange {
        switch kind {
        case .mov: return move(src, is64: is64)
        case .movsx(let bits): return signExtend(src, bits: bits, is64: is64)
        case .div, .mod, .sdiv, .smod: return .unknown
        default: break
        }
        let srcConstant = is64 ? src.constant : src.constant32.map(UInt64.init)
        let dstConstant = is64 ? dst.constant : dst.constant32.map(UInt64.init)
        // Both known (and an operation the kernel follows): the ISA's result, which the
        // kernel's bounds and known bits reach too.
        if let a = dstConstant, let b = kind == .neg ? 0 : srcConstant,
           !([ALUKind.lsh, .rsh, .arsh].contains(kind) && b >= (is64 ? 64 : 32)),
           let value = exact(kind, is64: is64, a, b) {
            return .constant(value)
        }
        var r = dst
        let width: UInt64 = is64 ? 64 : 32
        switch kind {
        case .add:
            add32(&r, src)
            add64(&r, src)
            r.bits = r.bits + src.bits
        case .sub:
            sub32(&r, src)
            sub64(&r, src)
            r.bits = r.bits - src.bits
        case .neg:
            let operand = r
            r = .constant(0)
            sub32(&r, operand)
            sub64(&r, operand)
            r.bits = Tnum.constant(0) - operand.bits
        case .mul:
            r.bits = r.bits * src.bits
            mul32(&r, src)
            mul64(&r, src)
        case .and, .or, .xor:
            bitwise(kind, &r, src)
        case .lsh, .rsh, .arsh:
            guard let amount = srcConstant, amount < width else { return .unknown }
            shift(kind, is64: is64, &r, amount)
        case .div, .mod, .sdiv, .smod, .mov, .movsx:
            return .unknown  // handled above
        }
        if !is64 { r.zeroExtend32() }
        return r.synced()
    }

    // MARK: moves

    private static func move(_ src: ScalarRange, is64: Bool) -> ScalarRange {
        if is64 { return src }
        var r = src
        r.zeroExtend32()
        return r.synced()
    }

    /// `movsx`: the kernel's `coerce_reg_to_size_sx` (64-bit) or its 32-bit form.
    private static func signExtend(_ src: ScalarRange, bits: Int, is64: Bool) -> ScalarRange {
        if let value = is64 ? src.constant : src.constant32.map(UInt64.init), let result = exact(.movsx(bits: bits), is64: is64, 0, value) {
            return .constant(result)
        }
        guard bits < (is64 ? 64 : 32) else { return move(src, is64: is64) }
        let size = UInt64(bits)
        func extend(_ v: Int64) -> Int64 {
            let shift = Int64(64 - bits)
            return (v << shift) >> shift
        }
        if is64 {
            // Linux 6.18: when the low word's signed bounds already fit the width, extending
            // changes no value, whatever the upper word holds (measured: s32 [-8, 7] with a
            // 64-bit [0, 0xffffffff] gives [-8, 7]; any (s32) gives the low word's bounds).
            let half = Int64(1) << Int64(bits - 1)
            if Int64(src.s32min) >= -half, Int64(src.s32max) < half {
                return ScalarRange(umin: 0, umax: .max, smin: Int64(src.s32min), smax: Int64(src.s32max))
            }
            let topMax = UInt64(bitPattern: src.smax) >> size, topMin = UInt64(bitPattern: src.smin) >> size
            if topMax == topMin {
                let a = extend(src.smin), b = extend(src.smax)
                let low = min(a, b), high = max(a, b)
                if (low >= 0) == (high >= 0) {
                    return ScalarRange(bits: .range(UInt64(bitPattern: low), UInt64(bitPattern: high)),
                                       umin: UInt64(bitPattern: low), umax: UInt64(bitPattern: high), smin: low, smax: high,
                                       u32min: UInt32(truncatingIfNeeded: low), u32max: UInt32(truncatingIfNeeded: high),
                                       s32min: Int32(truncatingIfNeeded: low), s32max: Int32(truncatingIfNeeded: high)).synced()
                }
            }
            return .loadedSigned(bytes: bits / 8)
        }
        // 32-bit: the low word sign-extended into 32 bits, then zero-extended.
        let smin32 = Int64(src.s32min), smax32 = Int64(src.s32max)
        var r = ScalarRange.unknown
        if UInt64(bitPattern: smin32) >> size == UInt64(bitPattern: smax32) >> size {
            let a = extend(smin32), b = extend(smax32)
            let low = min(a, b), high = max(a, b)
            if (low >= 0) == (high >= 0) {
                r.s32min = Int32(truncatingIfNeeded: low)
                r.s32max = Int32(truncatingIfNeeded: high)
                r.u32min = UInt32(truncatingIfNeeded: low)
                r.u32max = UInt32(truncatingIfNeeded: high)
                r.bits = Tnum.range(UInt64(r.u32min), UInt64(r.u32max))
                r.zeroExtend32()
                return r.synced()
            }
        }
        let half = Int64(1) << Int64(bits - 1)
        r.s32min = Int32(truncatingIfNeeded: -half)
        r.s32max = Int32(truncatingIfNeeded: half - 1)
        r.bits = Tnum.unknown.low32
        r.zeroExtend32()
        return r.synced()
    }

    // MARK: add, sub, mul

    private static func add32(_ r: inout ScalarRange, _ s: ScalarRange) {
        let (lo, o1) = r.s32min.addingReportingOverflow(s.s32min), (hi, o2) = r.s32max.addingReportingOverflow(s.s32max)
        if o1 || o2 { r.s32min = .min; r.s32max = .max } else { r.s32min = lo; r.s32max = hi }
        // All sums wrap or none do: the bounds stay ordered.
        let (ulo, w1) = r.u32min.addingReportingOverflow(s.u32min), (uhi, w2) = r.u32max.addingReportingOverflow(s.u32max)
        if !w1 && w2 { r.u32min = 0; r.u32max = .max } else { r.u32min = ulo; r.u32max = uhi }
    }

    private static func add64(_ r: inout ScalarRange, _ s: ScalarRange) {
        let (lo, o1) = r.smin.addingReportingOverflow(s.smin), (hi, o2) = r.smax.addingReportingOverflow(s.smax)
        if o1 || o2 { r.smin = .min; r.smax = .max } else { r.smin = lo; r.smax = hi }
        let (ulo, w1) = r.umin.addingReportingOverflow(s.umin), (uhi, w2) = r.umax.addingReportingOverflow(s.umax)
        if !w1 && w2 { r.umin = 0; r.umax = .max } else { r.umin = ulo; r.umax = uhi }
    }

    private static func sub32(_ r: inout ScalarRange, _ s: ScalarRange) {
        let (lo, o1) = r.s32min.subtractingReportingOverflow(s.s32max), (hi, o2) = r.s32max.subtractingReportingOverflow(s.s32min)
        if o1 || o2 { r.s32min = .min; r.s32max = .max } else { r.s32min = lo; r.s32max = hi }
        let (ulo, w1) = r.u32min.subtractingReportingOverflow(s.u32max), (uhi, w2) = r.u32max.subtractingReportingOverflow(s.u32min)
        if w1 && !w2 { r.u32min = 0; r.u32max = .max } else { r.u32min = ulo; r.u32max = uhi }
    }

    private static func sub64(_ r: inout ScalarRange, _ s: ScalarRange) {
        let (lo, o1) = r.smin.subtractingReportingOverflow(s.smax), (hi, o2) = r.smax.subtractingReportingOverflow(s.smin)
        if o1 || o2 { r.smin = .min; r.smax = .max } else { r.smin = lo; r.smax = hi }
        let (ulo, w1) = r.umin.subtractingReportingOverflow(s.umax), (uhi, w2) = r.umax.subtractingReportingOverflow(s.umin)
        if w1 && !w2 { r.umin = 0; r.umax = .max } else { r.umin = ulo; r.umax = uhi }
    }

    private static func mul32(_ r: inout ScalarRange, _ s: ScalarRange) {
        let (uhi, o1) = r.u32max.multipliedReportingOverflow(by: s.u32max)
        let (ulo, o2) = r.u32min.multipliedReportingOverflow(by: s.u32min)
        if o1 || o2 { r.u32min = 0; r.u32max = .max } else { r.u32min = ulo; r.u32max = uhi }
        let products = [r.s32min.multipliedReportingOverflow(by: s.s32min), r.s32min.multipliedReportingOverflow(by: s.s32max),
                        r.s32max.multipliedReportingOverflow(by: s.s32min), r.s32max.multipliedReportingOverflow(by: s.s32max)]
        if products.contains(where: { $0.overflow }) {
            r.s32min = .min; r.s32max = .max
        } else {
            r.s32min = products.map(\.partialValue).min() ?? .min
            r.s32max = products.map(\.partialValue).max() ?? .max
        }
    }

    private static func mul64(_ r: inout ScalarRange, _ s: ScalarRange) {
        let (uhi, o1) = r.umax.multipliedReportingOverflow(by: s.umax)
        let (ulo, o2) = r.umin.multipliedReportingOverflow(by: s.umin)
        if o1 || o2 { r.umin = 0; r.umax = .max } else { r.umin = ulo; r.umax = uhi }
        let products = [r.smin.multipliedReportingOverflow(by: s.smin), r.smin.multipliedReportingOverflow(by: s.smax),
                        r.smax.multipliedReportingOverflow(by: s.smin), r.smax.multipliedReportingOverflow(by: s.smax)]
        if products.contains(where: { $0.overflow }) {
            r.smin = .min; r.smax = .max
        } else {
            r.smin = products.map(\.partialValue).min() ?? .min
            r.smax = products.map(\.partialValue).max() ?? .max
        }
    }

    // MARK: and, or, xor

    /// The known bits give the bound the operation does not: and's minimum, or's maximum,
    /// both for xor; the other from the operands' bounds.
    private static func bitwise(_ kind: ALUKind, _ r: inout ScalarRange, _ s: ScalarRange) {
        switch kind {
        case .and: r.bits = r.bits & s.bits
        case .or: r.bits = r.bits | s.bits
        default: r.bits = r.bits ^ s.bits
        }
        let low = r.bits.low32
        switch kind {
        case .and:
            r.u32min = UInt32(truncatingIfNeeded: low.value)
            r.u32max = min(r.u32max, s.u32max)
            r.umin = r.bits.value
            r.umax = min(r.umax, s.umax)
        case .or:
            r.u32min = max(r.u32min, s.u32min)
            r.u32max = UInt32(truncatingIfNeeded: low.maximum)
            r.umin = max(r.umin, s.umin)
            r.umax = r.bits.maximum
        default:
            r.u32min = UInt32(truncatingIfNeeded: low.value)
            r.u32max = UInt32(truncatingIfNeeded: low.maximum)
            r.umin = r.bits.value
            r.umax = r.bits.maximum
        }
        // Signed bounds are the unsigned ones when those do not cross the sign boundary.
        if Int32(bitPattern: r.u32min) <= Int32(bitPattern: r.u32max) {
            r.s32min = Int32(bitPattern: r.u32min); r.s32max = Int32(bitPattern: r.u32max)
        } else {
            r.s32min = .min; r.s32max = .max
        }
        if Int64(bitPattern: r.umin) <= Int64(bitPattern: r.umax) {
            r.smin = Int64(bitPattern: r.umin); r.smax = Int64(bitPattern: r.umax)
        } else {
            r.smin = .min; r.smax = .max
        }
        r.updateFromBits()
    }

    // MARK: shifts (by a constant below the width)

    private static func shift(_ kind: ALUKind, is64: Bool, _ r: inout ScalarRange, _ amount: UInt64) {
        switch (kind, is64) {
        case (.lsh, false):
            let low = r.bits.low32
            lsh32Bounds(&r, amount)
            r.bits = (low << amount).low32
            r.unbound64()
            r.updateFromBits32()
        case (.lsh, true):
            // `<< 32` keeps the low half's signed bounds, scaled (the sign-extension idiom `<< 32 s>> 32`).
            r.smax = amount == 32 ? Int64(r.s32max) << 32 : .max
            r.smin = amount == 32 ? Int64(r.s32min) << 32 : .min
            if r.umax > UInt64(1) << (63 - amount) {
                r.umin = 0; r.umax = .max
            } else {
                r.umin <<= amount; r.umax <<= amount
            }
            lsh32Bounds(&r, amount)
            r.bits = r.bits << amount
            r.updateFromBits()
        case (.rsh, false):
            let low = r.bits.low32
            r.s32min = .min; r.s32max = .max
            r.bits = low >> amount
            r.u32min >>= UInt32(amount); r.u32max >>= UInt32(amount)
            r.unbound64()
            r.updateFromBits32()
        case (.rsh, true):
            r.smin = .min; r.smax = .max
            r.bits = r.bits >> amount
            r.umin >>= amount; r.umax >>= amount
            r.unbound32()
            r.updateFromBits()
        case (_, false):
            r.s32min >>= Int32(amount); r.s32max >>= Int32(amount)
            r.bits = r.bits.low32.arithmeticShiftRight(amount, is64: false)
            r.u32min = 0; r.u32max = .max
            r.unbound64()
            r.updateFromBits32()
        default:
            r.smin >>= Int64(amount); r.smax >>= Int64(amount)
            r.bits = r.bits.arithmeticShiftRight(amount, is64: true)
            r.umin = 0; r.umax = .max
            r.unbound32()
            r.updateFromBits()
        }
    }

    private static func lsh32Bounds(_ r: inout ScalarRange, _ amount: UInt64) {
        r.s32min = .min; r.s32max = .max
        if amount > 31 || UInt64(r.u32max) > UInt64(1) << (31 - amount) {
            r.u32min = 0; r.u32max = .max
        } else {
            r.u32min <<= UInt32(amount); r.u32max <<= UInt32(amount)
        }
    }

    /// The ISA's result on known operands (shift amounts masked); nil for division and modulo,
    /// which the kernel does not follow.
    private static func exact(_ kind: ALUKind, is64: Bool, _ a: UInt64, _ b: UInt64) -> UInt64? {
        if !is64 {
            let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
            let result: UInt32
            switch kind {
            case .add: result = x &+ y
            case .sub: result = x &- y
            case .mul: result = x &* y
            case .div, .mod, .sdiv, .smod: return nil
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
        case .div, .mod, .sdiv, .smod: return nil
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
