/// Packet bytes on stdout the way `bpftool prog run … data_out -` shows them.
enum HexDump {
    /// Rows of 16 bytes: a 7-digit hex offset and a tab, the bytes in pairs, `| `, then the
    /// printable characters ('.' for the rest) with a gap after the eighth. Ends with a newline.
    static func lines(_ bytes: [UInt8]) -> String {
        var out = ""
        for start in stride(from: 0, to: bytes.count, by: 16) {
            let row = bytes[start..<min(start + 16, bytes.count)]
            let offset = String(start, radix: 16)
            out += String(repeating: "0", count: max(0, 7 - offset.count)) + offset + "\t"
            for column in 0..<16 {
                let spacer = column % 2 == 1 ? " " : ""
                if column < row.count {
                    out += HexBytes.format([row[start + column]]) + spacer
                } else {
                    out += "  " + spacer
                }
            }
            out += "| "
            for (column, byte) in row.enumerated() {
                out.append(byte >= 0x20 && byte <= 0x7e ? Character(Unicode.Scalar(byte)) : ".")
                if column == 7 { out += " " }
            }
            out += "\n"
        }
        return out
    }

    /// A JSON array of the bytes as decimal numbers.
    static func jsonArray(_ bytes: [UInt8]) -> String {
        "[" + bytes.map { String($0) }.joined(separator: ",") + "]"
    }
}
