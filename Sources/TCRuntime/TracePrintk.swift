import BPFCore
import BPFVM

/// bpf_trace_printk: formats up to three arguments the kernel's way and hands the line to the
/// log sink; returns the formatted length. Supports `%d %i %u %x %X %c %s %p %%` with `l`/`ll`,
/// and `0 + - space` flags with a width, and the `%p` extensions of `PointerFormats`; anything
/// else is EINVAL, like the kernel.
enum TracePrintk {
    static func register(_ table: inout HelperTable) {
        table.register(6, name: "trace_printk", printk)
    }

    static func printk(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let fmt = call.memory(at: call.r1, count: size, write: false, "trace_printk fmt") else { return 0 }
        guard let end = fmt.firstIndex(of: 0) else { return failed(.EINVAL) }
        let args = [call.r3, call.r4, call.r5]
        guard let line = format(Array(fmt[..<end]), args, call: call) else { return failed(.EINVAL) }
        TCRun.from(call).services.log(line)
        return UInt64(line.utf8.count)
    }

    static func format(_ fmt: [UInt8], _ args: [UInt64], call: HelperCall) -> String? {
        var out: [UInt8] = []
        var used = 0
        var i = 0
        while i < fmt.count {
            let c = fmt[i]
            i += 1
            guard c == UInt8(ascii: "%") else { out.append(c); continue }
            guard i < fmt.count else { return nil }
            if fmt[i] == UInt8(ascii: "%") { out.append(c); i += 1; continue }
            var flags: Set<UInt8> = []
            while i < fmt.count, [UInt8(ascii: "0"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " ")].contains(fmt[i]) {
                flags.insert(fmt[i]); i += 1
            }
            var width = 0
            while i < fmt.count, fmt[i] >= UInt8(ascii: "0"), fmt[i] <= UInt8(ascii: "9") {
                width = width * 10 + Int(fmt[i] - UInt8(ascii: "0")); i += 1
            }
            var longs = 0
            while i < fmt.count, fmt[i] == UInt8(ascii: "l") { longs += 1; i += 1 }
            guard i < fmt.count, longs <= 2, used < args.count else { return nil }
            let conversion = fmt[i]
            i += 1
            let raw = args[used]
            used += 1
            let value = longs == 0 ? raw & 0xffff_ffff : raw
            var text: String
            switch conversion {
            case UInt8(ascii: "d"), UInt8(ascii: "i"):
                let signed = longs == 0 ? Int64(Int32(truncatingIfNeeded: raw)) : Int64(bitPattern: raw)
                text = String(signed)
                if signed >= 0 && flags.contains(UInt8(ascii: "+")) { text = "+" + text }
                else if signed >= 0 && flags.contains(UInt8(ascii: " ")) { text = " " + text }
            case UInt8(ascii: "u"): text = String(value)
            case UInt8(ascii: "x"): text = String(value, radix: 16)
            case UInt8(ascii: "X"): text = String(value, radix: 16, uppercase: true)
            case UInt8(ascii: "c") where longs == 0: text = String(UnicodeScalar(UInt8(truncatingIfNeeded: raw)))
            case UInt8(ascii: "p") where longs == 0:
                guard let pointer = PointerFormats.text(fmt, at: &i, value: raw, call: call) else { return nil }
                text = pointer
            case UInt8(ascii: "s") where longs == 0: text = string(at: raw, call: call)
            default: return nil
            }
            let pad = max(0, width - text.utf8.count)
            if flags.contains(UInt8(ascii: "-")) {
                text += String(repeating: " ", count: pad)
            } else if flags.contains(UInt8(ascii: "0")) && "diuxX".utf8.contains(conversion) {
                let sign = text.first.map { "+- ".contains($0) } == true ? String(text.removeFirst()) : ""
                text = sign + String(repeating: "0", count: pad) + text
            } else {
                text = String(repeating: " ", count: pad) + text
            }
            out += Array(text.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A NUL-terminated string the program may read, up to 512 bytes.
    static func string(at address: UInt64, call: HelperCall) -> String {
        var bytes: [UInt8] = []
        while bytes.count < 512, let b = call.bytes(at: address &+ UInt64(bytes.count), count: 1, write: false), b[0] != 0 {
            bytes.append(b[0])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
