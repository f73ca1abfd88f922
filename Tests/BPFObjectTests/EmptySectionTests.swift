@testable import BPFObject
import Testing

/// A program section whose size is 0 while its function symbol stays: the function once
/// vanished from the object without a word; now the object is refused, naming it.
@Suite struct EmptySectionTests {
    @Test func emptiedProgramSectionIsRefusedByName() throws {
        var bytes = Fixture.bytes("subprogs.o")
        let before = try ObjectSpec.parse(bytes: bytes, name: "subprogs.o")
        let program = try #require(before.programs.first)
        try ELFPatch.setSectionSize(&bytes, named: program.section, to: 0)
        let error = #expect(throws: ObjectError.self) { try ObjectSpec.parse(bytes: bytes, name: "subprogs.o") }
        #expect(error?.reason.contains("the function has no code") == true, "\(error.map { "\($0)" } ?? "")")
        #expect("\(error.map { "\($0)" } ?? "")".contains("'\(program.section)'"))
    }
}

/// Section headers of a 64-bit little-endian ELF, rewritten in place.
enum ELFPatch {
    static func setSectionSize(_ bytes: inout [UInt8], named name: String, to size: UInt64) throws {
        let headers = Int(read(bytes, 0x28, 8)), entrySize = Int(read(bytes, 0x3A, 2))
        let count = Int(read(bytes, 0x3C, 2)), namesIndex = Int(read(bytes, 0x3E, 2))
        let names = Int(read(bytes, headers + namesIndex * entrySize + 0x18, 8))
        for index in 0..<count {
            let header = headers + index * entrySize
            let start = names + Int(read(bytes, header, 4))
            let end = try #require(bytes[start...].firstIndex(of: 0))
            guard String(decoding: bytes[start..<end], as: UTF8.self) == name else { continue }
            for byte in 0..<8 { bytes[header + 0x20 + byte] = UInt8(truncatingIfNeeded: size >> (8 * byte)) }
            return
        }
        Issue.record("no section \(name)")
    }

    private static func read(_ bytes: [UInt8], _ offset: Int, _ width: Int) -> UInt64 {
        (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
}
