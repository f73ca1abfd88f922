import BPFCore
import BPFVM
import Testing

/// Packet accesses through one base in straight-line code are checked once for the range they
/// reach together (`PacketSpan`); when that range leaves the packet, each access is checked on
/// its own, so the run ends as on the interpreter: the same fault at the same instruction, the
/// same bytes written before it.
@Suite(.enabled(if: ExecutorKind.jitAvailable, "the JIT exists on x86-64 Linux only"))
struct JITPacketSpanTests {
    /// r2 = data (the context's first word, `contextPacketPointers`).
    static let data = Instruction(opcode: 0x61, dst: 2, src: 1, offset: 0)
    static func stb(_ dst: UInt8, _ off: Int16, _ imm: Int32) -> Instruction {
        Instruction(opcode: 0x72, dst: dst, offset: off, imm: imm)
    }

    func run(_ program: [Instruction]) throws -> Result<UInt64, VMFault> {
        var options = VerifierOptions()
        options.contextPacketPointers = [0: .start, 4: .end]
        return try MemorySafetyTests().run(program, options: options, packet: Array(0..<16))
    }

    func fault(_ result: Result<UInt64, VMFault>) -> VMFault? {
        if case .failure(let f) = result { return f }
        return nil
    }

    @Test func accessesInsideRunUnchecked() throws {
        let program = [Self.data, Self.stb(2, 0, 0x41), Self.stb(2, 15, 0x42), Asm.ldxb(0, 2, 3), Asm.exit]
        #expect(try run(program).get() == 3)
    }

    @Test func aSpanLeavingThePacketFaultsAtItsAccess() throws {
        // The first store lands; the second, one byte past the end, faults (compared bytes).
        let past = [Self.data, Self.stb(2, 0, 0x41), Asm.mov(3, 1), Self.stb(2, 16, 0x42), Asm.mov(0, 0), Asm.exit]
        #expect(fault(try run(past))?.instruction == 3)
        let before = [Self.data, Self.stb(2, 4, 0x41), Self.stb(2, -1, 0x42), Asm.mov(0, 0), Asm.exit]
        #expect(fault(try run(before))?.instruction == 2)
        let wide = [Self.data, Asm.ldxb(0, 2, 0), Asm.ldxdw(3, 2, 9), Asm.exit]
        #expect(fault(try run(wide))?.instruction == 2)
    }

    @Test func aWrongGuessTakesTheCheckedCopy() throws {
        // r2 = data, then moved onto the frame: both stores go to the stack.
        let program = [
            Self.data, Asm.movReg(3, 10), Instruction(opcode: 0x1f, dst: 3, src: 2), Asm.addReg(2, 3),
            Asm.stdw(2, -16, 7), Asm.stdw(2, -8, 9), Asm.ldxdw(0, 2, -16), Asm.exit,
        ]
        #expect(try run(program).get() == 7)
    }
}
