/// Division and modulo as RFC 9669 defines them: never a fault. Dividing by zero gives 0,
/// modulo by zero leaves the dividend, and INT_MIN / -1 wraps instead of trapping.
enum ALUSemantics {
    @inline(__always) static func div64(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? 0 : a / b }
    @inline(__always) static func mod64(_ a: UInt64, _ b: UInt64) -> UInt64 { b == 0 ? a : a % b }
    @inline(__always) static func div32(_ a: UInt64, _ b: UInt64) -> UInt64 {
        UInt64(div32(UInt32(truncatingIfNeeded: a), UInt32(truncatingIfNeeded: b)))
    }
    @inline(__always) static func div32(_ a: UInt32, _ b: UInt32) -> UInt32 { b == 0 ? 0 : a / b }
    @inline(__always) static func mod32(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
        return UInt64(y == 0 ? x : x % y)
    }

    @inline(__always) static func sdiv64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
        if y == 0 { return 0 }
        if y == -1 { return UInt64(bitPattern: 0 &- x) }
        return UInt64(bitPattern: x / y)
    }
    @inline(__always) static func smod64(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int64(bitPattern: a), y = Int64(bitPattern: b)
        if y == 0 { return a }
        if y == -1 { return 0 }
        return UInt64(bitPattern: x % y)
    }
    @inline(__always) static func sdiv32(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
        if y == 0 { return 0 }
        if y == -1 { return UInt64(UInt32(bitPattern: 0 &- x)) }
        return UInt64(UInt32(bitPattern: x / y))
    }
    @inline(__always) static func smod32(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Int32(truncatingIfNeeded: a), y = Int32(truncatingIfNeeded: b)
        if y == 0 { return UInt64(UInt32(bitPattern: x)) }
        if y == -1 { return 0 }
        return UInt64(UInt32(bitPattern: x % y))
    }

    @inline(__always) static func arsh32(_ a: UInt64, _ b: UInt64) -> UInt64 {
        UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: a) &>> Int32(truncatingIfNeeded: b)))
    }
    @inline(__always) static func low32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
}
