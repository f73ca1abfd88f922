import BPFCore
import BPFVM

/// bpf_strtol, bpf_strtoul, bpf_strncmp: the kernel's parsing rules (leading white space, one
/// '-', base 0/8/10/16 with a `0x` or `0` prefix, at most 63 characters looked at).
enum StringHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(105, name: "strtol") { call in parse(&call, signed: true) }
        table.register(106, name: "strtoul") { call in parse(&call, signed: false) }
        table.register(182, name: "strncmp", compare)
    }

    static func parse(_ call: inout HelperCall, signed: Bool) -> UInt64 {
        let length = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let text = call.memory(at: call.r1, count: length, write: false, "strtol buffer"),
              let result = call.memory(at: call.r4, count: 8, write: true, "strtol result") else { return 0 }
        switch parseUnsigned(Array(text), flags: call.r3) {
        case let .failure(error): return failed(error.errno)
        case let .success((value, negative, consumed)):
            if signed {
                let magnitude = Int64(bitPattern: value)
                if negative {
                    guard Int64(bitPattern: 0 &- value) <= 0 else { return failed(.ERANGE) }
                    result.storeBytes(of: 0 &- value, as: UInt64.self)
                } else {
                    guard magnitude >= 0 else { return failed(.ERANGE) }
                    result.storeBytes(of: value, as: UInt64.self)
                }
            } else {
                guard !negative else { return failed(.EINVAL) }
                result.storeBytes(of: value, as: UInt64.self)
            }
            return UInt64(consumed)
        }
    }

    struct Failure: Error { let errno: LinuxErrno }

    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0xa0
    }

    static func digit(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The value, whether a '-' came first, and how many bytes of the buffer were used.
    static func parseUnsigned(_ text: [UInt8], flags: UInt64) -> Result<(UInt64, Bool, Int), Failure> {
        var base = flags & 0x1f
        guard !text.isEmpty, [0, 8, 10, 16].contains(base), flags & ~0x1f == 0 else { return .failure(Failure(errno: .EINVAL)) }
        var i = 0
        while i < text.count && isSpace(text[i]) { i += 1 }
        let negative = i < text.count && text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard i < text.count else { return .failure(Failure(errno: .EINVAL)) }
        // The kernel copies at most 63 bytes and stops at a NUL.
        var s = Array(text[i..<min(text.count, i + 63)])
        if let nul = s.firstIndex(of: 0) { s = Array(s[..<nul]) }
        func at(_ k: Int) -> UInt8 { k < s.count ? s[k] : 0 }
        var j = 0
        if base == 0 {
            if at(0) == UInt8(ascii: "0") {
                base = (at(1) | 0x20) == UInt8(ascii: "x") && digit(at(2)).map({ $0 < 16 }) == true ? 16 : 8
            } else {
                base = 10
            }
        }
        if base == 16 && at(0) == UInt8(ascii: "0") && (at(1) | 0x20) == UInt8(ascii: "x") { j = 2 }
        var value: UInt64 = 0
        var digits = 0
        var overflow = false
        while j < s.count, let d = digit(s[j]), d < base {
            let (product, o1) = value.multipliedReportingOverflow(by: base)
            let (sum, o2) = product.addingReportingOverflow(d)
            if o1 || o2 { overflow = true }
            value = sum
            digits += 1
            j += 1
        }
        guard !overflow else { return .failure(Failure(errno: .ERANGE)) }
        guard digits > 0 else { return .failure(Failure(errno: .EINVAL)) }
        return .success((value, negative, i + j))
    }

    /// strncmp(s1, s2, s1_sz): -1, 0 or 1. s2 is read only as far as the comparison goes.
    static func compare(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let first = call.memory(at: call.r1, count: size, write: false, "strncmp s1") else { return 0 }
        for i in 0..<size {
            guard let b = call.memory(at: call.r3 &+ UInt64(i), count: 1, write: false, "strncmp s2") else { return 0 }
            let c1 = first[i], c2 = b[0]
            if c1 != c2 { return c1 < c2 ? UInt64(bitPattern: -1) : 1 }
            if c1 == 0 { break }
        }
        return 0
    }
}
