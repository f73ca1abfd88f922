import Foundation

/// The committed tc-runtime fixtures: C sources built to .o by Tests/Fixtures/tc-runtime/build.sh.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tc-runtime")

    static func file(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    /// The bytes of section `name` of an ELF64 little-endian object (programs without relocations).
    static func section(_ name: String, of object: String) throws -> [UInt8] {
        let data = [UInt8](try file(object))
        func u16(_ o: Int) -> Int { Int(data[o]) | Int(data[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func u64(_ o: Int) -> Int { u32(o) | u32(o + 4) << 32 }
        let shoff = u64(0x28), entsize = u16(0x3a), count = u16(0x3c), names = u16(0x3e)
        let strtab = u64(shoff + names * entsize + 0x18)
        for i in 0..<count {
            let header = shoff + i * entsize
            let nameStart = strtab + u32(header)
            let nameEnd = data[nameStart...].firstIndex(of: 0)!
            guard String(decoding: data[nameStart..<nameEnd], as: UTF8.self) == name else { continue }
            let offset = u64(header + 0x18), size = u64(header + 0x20)
            return Array(data[offset..<offset + size])
        }
        throw CocoaError(.fileReadCorruptFile)
    }
}

extension Array where Element == UInt8 {
    init(hex: some StringProtocol) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }

    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
