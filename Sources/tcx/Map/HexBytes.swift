/// Bytes written as hex on the command line: `"01 02 0a 0b"`, `"01020a0b"` or bpftool's
/// `"0x01 0x02"` (tokens of whole bytes, separated by spaces).
enum HexBytes {
    struct Invalid: Error, CustomStringConvertible {
        var text: String
        var description: String
    }

    static func parse(_ text: String) throws(Invalid) -> [UInt8] {
        var bytes: [UInt8] = []
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
            var digits = Substring(token)
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
            guard !digits.isEmpty, digits.count % 2 == 0 else {
                throw Invalid(text: text, description: "'\(token)' in '\(text)' is not whole bytes of hex (two digits each)")
            }
            var index = digits.startIndex
            while index < digits.endIndex {
                let next = digits.index(index, offsetBy: 2)
                guard let byte = UInt8(digits[index..<next], radix: 16) else {
                    throw Invalid(text: text, description: "'\(token)' in '\(text)' is not hex")
                }
                bytes.append(byte)
                index = next
            }
        }
        return bytes
    }

    /// Two lowercase digits per byte, `separator` between bytes.
    static func format<Bytes: Collection<UInt8>>(_ bytes: Bytes, separator: String = " ") -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined(separator: separator)
    }
}
