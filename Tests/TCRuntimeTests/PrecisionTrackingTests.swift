import BPFCore
import BPFVM
import TCRuntime
import Testing

/// Precision marks (Sources/BPFVM/Analysis/PathPrecision.swift): a number only handed to a
/// helper that takes anything (bpf_redirect's ifindex) or compared where both ways are followed
/// decides nothing, as in the kernel, so the paths that differ only in it join; a number a later
/// check depends on keeps them apart (Tests/Fixtures/verifier/precision_rules.tcx).
@Suite struct PrecisionTrackingTests {
    /// r6 = skb->len; twelve independent tests of its bits, each adding the bit to r7 (4096
    /// paths); then `tail`.
    static func program(_ tail: [Instruction]) -> [Instruction] {
        var program = [Instruction(opcode: 0x61, dst: 6, src: 1, offset: 0), Asm.mov(7, 0)]
        for bit in 0 ..< 12 {
            program += [Asm.movReg(8, 6), Instruction(opcode: 0x57, dst: 8, imm: 1 << Int32(bit)),
                        Asm.jeq(8, 0, 1), Asm.add(7, 1 << Int32(bit))]
        }
        return program + tail
    }

    /// The sum goes to bpf_redirect as the interface: the paths join after each test, as the
    /// kernel's do (the kernel processes 90 instructions), where comparing the sums would follow
    /// all 4096 of them.
    @Test func numberHandedToAHelperAsAnythingDoesNotKeepPathsApart() throws {
        let program = try TCProgram(instructions: Self.program([Asm.movReg(1, 7), Asm.mov(2, 0), Asm.call(23), Asm.exit]))
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed < 200)
    }

    /// The sum compared with a number not known (both ways followed) still joins; compared where
    /// it decides the way it is precise: above 5000 on no path (the dereference there is never
    /// reached), above 4000 on some, which are refused.
    @Test func comparisonsDecideOnlyWhenTheyGoOneWay() throws {
        // if r7 > r6 (the length, not known): both ways on every path.
        let bothWays = try TCProgram(instructions: Self.program([Asm.mov(0, 0), Instruction(opcode: 0x2d, dst: 7, src: 6, offset: 1),
                                                                 Asm.mov(0, 1), Asm.exit]))
        let statistics = try #require(bothWays.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed < 200)
        // if r7 > 5000 goto fault: never taken on any path.
        let fault = [Asm.mov(1, 0), Instruction(opcode: 0x79, dst: 0, src: 1, offset: 0), Asm.exit]
        let decided = try TCProgram(instructions: Self.program([Instruction(opcode: 0x25, dst: 7, offset: 2, imm: 5000),
                                                                Asm.mov(0, 0), Asm.exit] + fault))
        #expect(try #require(decided.program.pathStatistics).complete)
        // if r7 > 4000 goto fault: taken on some paths, which must all be refused.
        #expect(throws: VMError.self) {
            _ = try TCProgram(instructions: Self.program([Instruction(opcode: 0x25, dst: 7, offset: 2, imm: 4000),
                                                          Asm.mov(0, 0), Asm.exit] + fault))
        }
    }
}
