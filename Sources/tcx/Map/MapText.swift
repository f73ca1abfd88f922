import SwiftTCX

/// Map entries as `bpftool map dump/lookup` print them, plain and JSON.
struct MapText {
    let info: MapInfo

    var isPerCPU: Bool { info.type.isPerCPU }

    /// One value per possible CPU, each in an 8-byte slot, as the lookup returns them.
    func cpuValues(_ value: [UInt8]) -> [ArraySlice<UInt8>] {
        let size = Int(info.valueSize)
        let stride = (size + 7) / 8 * 8
        guard stride > 0 else { return [] }
        return Swift.stride(from: 0, to: value.count, by: stride).map { value[$0..<min($0 + size, value.count)] }
    }

    // MARK: Plain

    /// Key and value: on one line when both are short, `key:`/`value:` on their own lines
    /// when either is over 16 bytes; per-CPU maps get one `value (CPU NN):` line per CPU.
    func entry(key: [UInt8], value: [UInt8]) -> String {
        if isPerCPU {
            var out = "key:\n" + Self.hex(key) + "\n"
            for (cpu, slot) in cpuValues(value).enumerated() {
                let number = cpu < 10 ? "0\(cpu)" : "\(cpu)"
                out += "value (CPU \(number)):" + (info.valueSize > 16 ? "\n" : " ") + Self.hex(slot) + "\n"
            }
            return out
        }
        let breakNames = info.keySize > 16 || info.valueSize > 16
        let singleLine = info.keySize + info.valueSize <= 24 && !breakNames
        let gap = breakNames ? "\n" : " "
        return "key:" + gap + Self.hex(key) + (singleLine ? "  " : "\n") + "value:" + gap + Self.hex(value) + "\n"
    }

    /// What lookup prints for a key the map does not hold.
    func notFound(key: [UInt8]) -> String {
        "key:\n" + Self.hex(key) + "\n\nNot found\n"
    }

    static func footer(count: Int) -> String {
        "Found \(count) element\(count == 1 ? "" : "s")"
    }

    /// Bytes in hex, a space between them, two after every eighth and a new line every 16.
    static func hex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var out = ""
        for (index, byte) in bytes.enumerated() {
            if index > 0 { out += index % 16 == 0 ? "\n" : index % 8 == 0 ? "  " : " " }
            out += HexBytes.format([byte])
        }
        return out
    }

    // MARK: JSON

    /// `{"key":[…],"value":[…]}`, or `"values":[{"cpu":N,"value":[…]}, …]` for per-CPU maps;
    /// bytes as "0x.." strings.
    func jsonEntry(key: [UInt8], value: [UInt8]) -> String {
        if isPerCPU {
            let values = cpuValues(value).enumerated().map { "{\"cpu\":\($0),\"value\":\(Self.jsonHex($1))}" }
            return "{\"key\":\(Self.jsonHex(key)),\"values\":[\(values.joined(separator: ","))]}"
        }
        return "{\"key\":\(Self.jsonHex(key)),\"value\":\(Self.jsonHex(value))}"
    }

    func jsonLookupError(key: [UInt8], _ error: TCXError) -> String {
        "{\"key\":\(Self.jsonHex(key)),\"value\":{\"error\":\"\(error.errno.name)\"}}"
    }

    static func jsonHex<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        "[" + bytes.map { "\"0x" + HexBytes.format([$0]) + "\"" }.joined(separator: ",") + "]"
    }
}
