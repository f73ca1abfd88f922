import BPFCore
import Testing

@Suite struct DisassemblerTests {
    static func bytes(_ hex: String) -> [UInt8] { hex.split(separator: " ").map { UInt8($0, radix: 16)! } }

    @Test(arguments: llvmObjdumpGolden.indices)
    func matchesLLVMObjdump(_ index: Int) throws {
        let (hex, expected) = llvmObjdumpGolden[index]
        let program = try #require(Instruction.decode(Self.bytes(hex)))
        let lines = Disassembler.disassemble(program)
        #expect(lines.count == 1)
        #expect(lines.first?.text == expected, "\(hex)")
    }

    @Test func encodeRoundTrips() throws {
        let all = llvmObjdumpGolden.flatMap { Self.bytes($0.hex) }
        let program = try #require(Instruction.decode(all))
        #expect(Instruction.encode(program) == all)
    }

    @Test func listingShowsIndexBytesAndUnknown() throws {
        let program = try #require(Instruction.decode([0xb7, 0, 0, 0, 1, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0]))
        let listing = Disassembler.listing(program)
        #expect(listing == "       0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1\n       1:\tff 00 00 00 00 00 00 00\t<unknown>\n")
    }
}
