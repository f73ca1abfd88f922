import BPFCore
import BPFVM
import TCRuntime
import Testing

/// Before a helper call pruning compares only the stack slots the helper reads through its
/// memory argument when the pointer is r10 plus a constant (Sources/BPFVM/Analysis/
/// StackArgumentSlots.swift), as the kernel marks only what check_stack_range_initialized
/// looked at; and a store of fewer than 8 bytes does not make its slot live. The compiled form
/// (21 steps) is recorded on the kernel in Tests/Fixtures/verifier/stack_arguments.tcx.
@Suite struct StackArgumentSlotsTests {
    /// A number stored at -32; ten steps, each loading skb->len into r2 and, one way or the other
    /// of `r2 > 1000`, storing zero (the way explored first) or r2 into a byte of the top two
    /// slots; then bpf_skb_store_bytes(skb, 0, r10 + `pointer`, `size`, 0).
    static func program(pointer: Int32, size: Int32) -> [Instruction] {
        var program = [Asm.mov(3, 0), Asm.store(8, 10, -32, 3), Asm.movReg(6, 1)]
        for offset in [1, 2, 3, 4, 5, 6, 7, 9, 10, 11] as [Int16] {
            program += [Asm.load(4, 2, 1, 0), Instruction(opcode: 0x25, dst: 2, offset: 2, imm: 1000),
                        Asm.storeImm(1, 10, -offset, 0), Instruction(opcode: 0x05, offset: 1), Asm.store(1, 10, -offset, 2)]
        }
        return program + [Asm.movReg(1, 6), Asm.mov(2, 0), Asm.movReg(3, 10), Asm.add(3, pointer), Asm.mov(4, size),
                          Asm.mov(5, 0), Asm.call(9), Asm.mov(0, 0), Asm.exit]
    }

    /// The helper reads the slot at -32 only: the bytes written are dead at every join and the
    /// two ways of each step join (the kernel: 188 instructions for the 21-step form,
    /// `stack_arguments.o` `dead_beside_helper_memory`; here 1,000,001, no verdict, before).
    @Test func bytesBesideTheHelpersMemoryAreDead() throws {
        let program = try TCProgram(instructions: Self.program(pointer: -32, size: 8))
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed < 200)
    }

    /// The helper reads the 24 bytes written: a zero byte never covers an unknown one, so the
    /// 1024 paths are followed to the end (the kernel refuses the 21-step form at its limit,
    /// `stack_kinds.o` `zero_then_unknown_stored`).
    @Test func bytesTheHelperReadsAreLive() throws {
        let program = try TCProgram(instructions: Self.program(pointer: -24, size: 24))
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed > 1024 * 4)
    }
}
