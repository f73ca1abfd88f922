import BPFCore
import BPFVM

/// bpf_trace_printk: formats up to three arguments the kernel's way and hands the line to the
/// log sink; returns the formatted length. Supports `%d %i %u %x %X %c %s %p %%` with `l`/`ll`,
/// and `0 + - space` flags with a width, and the `%p` extensions of `PointerFormats`; anything
/// else is EINVAL, like the kernel. The text is printed into a line buffer of the kernel's size,
/// not built as strings: the log sink's String is a print's one allocation.
enum TracePrintk {
    /// FIELD_WIDTH_MAX: the kernel clamps a width to ±(2^23 - 1) (8,388,607 spaces are counted).
    static let maxWidth: Int32 = (1 << 23) - 1
    /// The longest `%s` string read (the kernel's copy of a string argument is bounded too).
    static let maxString = 512

    static func register(_ table: inout HelperTable) {
        table.register(6, name: "trace_printk", printk)
    }

    static func printk(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let fmt = call.memory(at: call.r1, count: size, write: false, "trace_printk fmt") else { return 0 }
        guard let end = fmt.firstIndex(of: 0) else { return failed(.EINVAL) }
        let format = UnsafeRawBufferPointer(rebasing: fmt[..<end])
        let r3 = call.r3, r4 = call.r4, r5 = call.r5
        return withUnsafeTemporaryAllocation(byteCount: PrintfOutput.traceLineCapacity, alignment: 1) { line in
            var out = PrintfOutput(line)
            guard print(format, arguments: 3, { $0 == 0 ? r3 : $0 == 1 ? r4 : r5 }, call: call, into: &out) else {
                return failed(.EINVAL)
            }
            log(out, call)
            return UInt64(out.length)
        }
    }

    /// Hands the line kept to the run's log sink.
    static func log(_ out: PrintfOutput, _ call: HelperCall) {
        let line = String(decoding: out.kept, as: UTF8.self)
        TCRun.borrowKeepingImage(call) { run in run.withServices { $0.log(line) } }
    }

    /// The flags between `%` and the width.
    struct Flags: OptionSet {
        let rawValue: UInt8
        static let zeroPad = Flags(rawValue: 1), plus = Flags(rawValue: 2), left = Flags(rawValue: 4), space = Flags(rawValue: 8)

        init(rawValue: UInt8) { self.rawValue = rawValue }
        init?(_ byte: UInt8) {
            switch byte {
            case UInt8(ascii: "0"): self = .zeroPad
            case UInt8(ascii: "+"): self = .plus
            case UInt8(ascii: "-"): self = .left
            case UInt8(ascii: " "): self = .space
            default: return nil
            }
        }
    }

    /// Prints `fmt` into `out` with argument `k` of `arguments` from `argument`; false for a
    /// format the kernel refuses (EINVAL), including more conversions than arguments.
    static func print(_ fmt: UnsafeRawBufferPointer, arguments: Int, _ argument: (Int) -> UInt64,
                      call: HelperCall, into out: inout PrintfOutput) -> Bool {
        let percent = UInt8(ascii: "%")
        var used = 0
        var i = 0
        while i < fmt.count {
            let c = fmt[i]
            i += 1
            guard c == percent else { out.append(c); continue }
            guard i < fmt.count else { return false }
            if fmt[i] == percent { out.append(c); i += 1; continue }
            var flags: Flags = []
            while i < fmt.count, let flag = Flags(fmt[i]) { flags.formUnion(flag); i += 1 }
            var written: Int32 = 0
            while i < fmt.count, fmt[i] >= UInt8(ascii: "0"), fmt[i] <= UInt8(ascii: "9") {
                // The kernel's skip_atoi in an int: a long run of digits wraps, then is clamped.
                written = written &* 10 &+ Int32(fmt[i] - UInt8(ascii: "0"))
                i += 1
            }
            let width = Int(min(max(written, -maxWidth), maxWidth))
            var longs = 0
            while i < fmt.count, fmt[i] == UInt8(ascii: "l") { longs += 1; i += 1 }
            guard i < fmt.count, longs <= 2, used < arguments else { return false }
            let conversion = fmt[i]
            i += 1
            let raw = argument(used)
            used += 1
            let value = longs == 0 ? raw & 0xffff_ffff : raw
            switch conversion {
            case UInt8(ascii: "d"), UInt8(ascii: "i"):
                let signed = longs == 0 ? Int64(Int32(truncatingIfNeeded: raw)) : Int64(bitPattern: raw)
                let sign: UInt8? = signed < 0 ? UInt8(ascii: "-")
                    : flags.contains(.plus) ? UInt8(ascii: "+") : flags.contains(.space) ? UInt8(ascii: " ") : nil
                number(signed.magnitude, radix: 10, uppercase: false, sign: sign, width: width, flags: flags, into: &out)
            case UInt8(ascii: "u"):
                number(value, radix: 10, uppercase: false, sign: nil, width: width, flags: flags, into: &out)
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                number(value, radix: 16, uppercase: conversion == UInt8(ascii: "X"), sign: nil, width: width, flags: flags, into: &out)
            case UInt8(ascii: "c") where longs == 0:
                padded(length: 1, width: width, left: flags.contains(.left), into: &out) { $0.append(UInt8(truncatingIfNeeded: raw)) }
            case UInt8(ascii: "p") where longs == 0:
                guard let text = PointerFormats.text(fmt, at: &i, value: raw, call: call) else { return false }
                padded(length: text.utf8.count, width: width, left: flags.contains(.left), into: &out) { $0.append(contentsOf: text.utf8) }
            case UInt8(ascii: "s") where longs == 0:
                let length = stringLength(at: raw, call: call)
                padded(length: length, width: width, left: flags.contains(.left), into: &out) { out in
                    for k in 0..<length {
                        out.append(call.bytes(at: raw &+ UInt64(k), count: 1, write: false)?[0] ?? 0)
                    }
                }
            default: return false
            }
        }
        return true
    }

    /// `body`'s `length` bytes padded with spaces to `width`, on the left unless `left`.
    private static func padded(length: Int, width: Int, left: Bool, into out: inout PrintfOutput,
                               _ body: (inout PrintfOutput) -> Void) {
        let pad = width - length
        if !left { out.append(UInt8(ascii: " "), repeated: pad) }
        body(&out)
        if left { out.append(UInt8(ascii: " "), repeated: pad) }
    }

    /// A number: spaces, the sign, zeros (flag `0`, unless `-`) and the digits, or the sign and
    /// digits then spaces (flag `-`).
    private static func number(_ magnitude: UInt64, radix: UInt64, uppercase: Bool, sign: UInt8?, width: Int,
                               flags: Flags, into out: inout PrintfOutput) {
        var count = 1, divisor: UInt64 = 1
        while magnitude / divisor >= radix { divisor *= radix; count += 1 }
        let pad = width - count - (sign == nil ? 0 : 1)
        let zeros = flags.contains(.zeroPad) && !flags.contains(.left)
        if !flags.contains(.left) && !zeros { out.append(UInt8(ascii: " "), repeated: pad) }
        if let sign { out.append(sign) }
        if zeros { out.append(UInt8(ascii: "0"), repeated: pad) }
        var rest = magnitude
        while true {
            let digit = UInt8(truncatingIfNeeded: rest / divisor)
            out.append(digit < 10 ? UInt8(ascii: "0") + digit : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) + digit - 10)
            rest %= divisor
            if divisor == 1 { break }
            divisor /= radix
        }
        if flags.contains(.left) { out.append(UInt8(ascii: " "), repeated: pad) }
    }

    /// How many bytes of the NUL-terminated string at `address` the program may read, up to
    /// `maxString`.
    static func stringLength(at address: UInt64, call: HelperCall) -> Int {
        var length = 0
        while length < maxString, let b = call.bytes(at: address &+ UInt64(length), count: 1, write: false), b[0] != 0 {
            length += 1
        }
        return length
    }

    /// That string, for the `%p` forms that print one.
    static func string(at address: UInt64, call: HelperCall) -> String {
        let bytes = (0..<stringLength(at: address, call: call)).map {
            call.bytes(at: address &+ UInt64($0), count: 1, write: false)?[0] ?? 0
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
