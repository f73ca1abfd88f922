import BPFCore
import BPFVM
import TCRuntime
import Testing

/// Stack slots nothing later depends on still differ in kind for pruning, as the kernel's
/// stacksafe has them (Sources/BPFVM/Analysis/PathState.swift, `coversImprecisely`): bytes known
/// to be zero are not bytes holding an unknown number. The same programs, compiled, are recorded
/// on the kernel in Tests/Fixtures/verifier/stack_kinds.tcx.
@Suite struct StackSlotKindsTests {
    /// Ten steps, each loading skb->len into r2 and, one way or the other of `r2 > 1000`, storing
    /// zero or r2 into a byte not at a slot's start (bytes -1…-7, -9…-11); the slots read at the
    /// end. `zeroFirst`: the way explored first (not jumped to) stores the zero.
    static func program(zeroFirst: Bool) -> [Instruction] {
        var program: [Instruction] = []
        for offset in [1, 2, 3, 4, 5, 6, 7, 9, 10, 11] as [Int16] {
            let zero = Asm.storeImm(1, 10, -offset, 0), unknown = Asm.store(1, 10, -offset, 2)
            program += [Asm.load(4, 2, 1, 0), Instruction(opcode: 0x25, dst: 2, offset: 2, imm: 1000),
                        zeroFirst ? zero : unknown, Instruction(opcode: 0x05, offset: 1), zeroFirst ? unknown : zero]
        }
        return program + [Asm.load(8, 0, 10, -8), Asm.load(8, 0, 10, -16), Asm.mov(0, 0), Asm.exit]
    }

    /// A kept state whose byte is zero does not cover one whose byte is unknown: every one of the
    /// 1024 paths is followed to the end (the kernel: processed 10,235 insns for the compiled
    /// program, `stack_kinds.o` `zero_then_unknown_short`), where they all joined before.
    @Test func zeroBytesDoNotCoverUnknownBytes() throws {
        let program = try TCProgram(instructions: Self.program(zeroFirst: true))
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed > 1024 * 4)
    }

    /// A kept state whose byte is unknown covers one whose byte is zero: the paths join after each
    /// step (the kernel: 195 insns for 21 steps, `unknown_then_zero`).
    @Test func unknownBytesCoverZeroBytes() throws {
        let program = try TCProgram(instructions: Self.program(zeroFirst: false))
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed < 200)
    }
}
