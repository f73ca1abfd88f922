import BPFVM

/// The `%p` extensions the kernel's BPF printf accepts: `%pI4 %pi4 %pI6 %pi6` print an address
/// read from memory (zeros when it cannot be read), `%px` the raw value as 16 hex digits,
/// `%pks`/`%pus` a string from kernel or user memory. A bare `%p` prints the value in hex (the
/// kernel prints a per-boot hash of it).
enum PointerFormats {
    /// The text for the conversion whose `p` was just consumed; `index` moves past its suffix.
    static func text(_ fmt: UnsafeRawBufferPointer, at index: inout Int, value: UInt64, call: HelperCall) -> String? {
        func at(_ k: Int) -> UInt8 { k < fmt.count ? fmt[k] : 0 }
        let first = at(index), second = at(index + 1)
        switch (first, second) {
        case (UInt8(ascii: "I"), UInt8(ascii: "4")), (UInt8(ascii: "i"), UInt8(ascii: "4")):
            index += 2
            let b = address(value, count: 4, call: call)
            let parts = b.map { first == UInt8(ascii: "I") ? String($0) : padded(String($0), 3, "0") }
            return parts.joined(separator: ".")
        case (UInt8(ascii: "I"), UInt8(ascii: "6")), (UInt8(ascii: "i"), UInt8(ascii: "6")):
            index += 2
            let b = address(value, count: 16, call: call)
            let groups = stride(from: 0, to: 16, by: 2).map { padded(String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16), 4, "0") }
            return first == UInt8(ascii: "I") ? groups.joined(separator: ":") : groups.joined()
        case (UInt8(ascii: "x"), _), (UInt8(ascii: "K"), _):
            index += 1
            return padded(String(value, radix: 16), 16, "0")
        case (UInt8(ascii: "k"), UInt8(ascii: "s")):
            index += 2
            return TracePrintk.string(at: value, call: call)
        case (UInt8(ascii: "u"), UInt8(ascii: "s")):
            // Every address a program holds is a kernel address: the user read fails, empty.
            index += 2
            return ""
        case (UInt8(ascii: "B"), _), (UInt8(ascii: "s"), _), (UInt8(ascii: "S"), _):
            return nil
        default:
            // A bare %p ends at the end, at white space or punctuation; other letters are refused.
            guard first == 0 || !isLetterOrDigit(first) else { return nil }
            return "0x" + String(value, radix: 16)
        }
    }

    static func isLetterOrDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a)
    }

    static func padded(_ text: String, _ width: Int, _ pad: Character) -> String {
        String(repeating: pad, count: max(0, width - text.count)) + text
    }

    /// `count` bytes at `value` when the program may read them, else zeros.
    static func address(_ value: UInt64, count: Int, call: HelperCall) -> [UInt8] {
        guard let bytes = call.bytes(at: value, count: count, write: false) else { return [UInt8](repeating: 0, count: count) }
        return Array(bytes)
    }
}
