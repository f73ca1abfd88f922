import BPFCore
import BPFVM
import TCRuntime
import Testing

/// The path analysis explores programs with many branches to the end: numbers that decide
/// nothing later do not tell states apart (as the kernel's precision marks), so 2^40 paths
/// through 40 independent branches collapse, and a bad access on the path explored last is
/// still found. Without that, the exploration would run out of budget first and load it.
@Suite struct PathExplorationTests {
    /// 40 branches on packet bytes, each adding to a sum in r5 that only the exit returns.
    static func branches() -> [Instruction] {
        (0 ..< 40).flatMap { k in
            [Asm.load(1, 6, 2, Int16(k)), Instruction(opcode: 0x57, dst: 6, imm: 1), Asm.jeq(6, 0, 1), Asm.add(5, Int32(k))]
        }
    }

    /// data in r2; 64 bytes proven; the first byte picks one of two copies of the branches, and
    /// the copy explored last ends with `tail`.
    static func program(_ tail: [Instruction]) -> [Instruction] {
        let head = [
            Asm.load(4, 2, 1, Int16(SKBField.data)), Asm.load(4, 3, 1, Int16(SKBField.dataEnd)),
            Asm.movReg(4, 2), Asm.add(4, 64), Instruction(opcode: 0xbd, dst: 4, src: 3, offset: 2),  // if r4 <= r3
            Asm.mov(0, 0), Asm.exit, Asm.mov(5, 0), Asm.load(1, 7, 2, 0),
        ]
        let first = branches() + [Asm.movReg(0, 5), Asm.exit]
        let second = branches() + tail
        // if r7 == 5 goto second (taken: explored after the whole first copy)
        return head + [Asm.jeq(7, 5, Int16(first.count))] + first + second
    }

    @Test func aBadAccessBehindManyBranchesIsFound() {
        let bad = [Asm.load(1, 0, 2, 64), Asm.exit]
        #expect(throws: VMError.self) { _ = try TCProgram(instructions: Self.program(bad)) }
        let good = [Asm.load(1, 0, 2, 63), Asm.exit]
        #expect(throws: Never.self) { _ = try TCProgram(instructions: Self.program(good)) }
    }
}
