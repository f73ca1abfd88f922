import BPFCore
import BPFMaps
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

    /// `flags` bytes, each 0 or 1 by a branch on a helper's result, stored on the stack (as
    /// `out[k] = a == b` in C) between a spilled packet pointer's fills, and handed to
    /// bpf_skb_store_bytes at the end; then `tail` with the packet pointer filled in r2.
    static func flagBytes(_ flags: Int, tail: [Instruction]) -> [Instruction] {
        var program = [
            Asm.movReg(6, 1), Asm.load(4, 2, 1, Int16(SKBField.data)), Asm.load(4, 3, 1, Int16(SKBField.dataEnd)),
            Asm.movReg(4, 2), Asm.add(4, 64), Instruction(opcode: 0xbd, dst: 4, src: 3, offset: 2),  // if r4 <= r3
            Asm.mov(0, 0), Asm.exit, Asm.store(8, 10, -64, 2),
        ]
        for k in 0 ..< flags {
            program += [
                Asm.call(5),  // ktime_get_ns
                Asm.mov(1, 1), Asm.jeq(0, 0, 1), Asm.mov(1, 0),
                Asm.store(1, 10, Int16(-56 + k), 1),
                Asm.load(8, 2, 10, -64), Asm.load(1, 3, 2, Int16(k)), Asm.store(1, 10, Int16(-56 + k), 3),
                Asm.store(1, 10, Int16(-56 + k), 1),
            ]
        }
        program += [
            Asm.movReg(1, 6), Asm.mov(2, 14), Asm.movReg(3, 10), Asm.add(3, -56), Asm.mov(4, Int32(flags)), Asm.mov(5, 0),
            Asm.call(9),  // skb_store_bytes
            Asm.load(4, 2, 6, Int16(SKBField.data)), Asm.load(4, 3, 6, Int16(SKBField.dataEnd)),
            Asm.movReg(4, 2), Asm.add(4, 64), Instruction(opcode: 0xbd, dst: 4, src: 3, offset: 2),
            Asm.mov(0, 0), Asm.exit,
        ]
        return program + tail
    }

    /// Flag bytes on the stack keep paths apart as in the kernel: a byte known to be zero and a
    /// byte holding 1 are different kinds of slot (STACK_ZERO, STACK_MISC), and bpf_skb_store_bytes
    /// reads them, so they are compared although no check depends on them. 10 flags: 1024 paths
    /// followed (the kernel processes 6,937 insns for this program; 40 flags pass its million,
    /// E2BIG), and the bad access at the end still found.
    @Test func flagBytesOnTheStackKeepPathsApart() throws {
        let good = try TCProgram(instructions: Self.flagBytes(10, tail: [Asm.load(1, 0, 2, 63), Asm.exit]))
        let statistics = try #require(good.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed > 1024 * 4)
        #expect(statistics.processed < 20_000)
        #expect(throws: VMError.self) {
            _ = try TCProgram(instructions: Self.flagBytes(10, tail: [Asm.load(1, 0, 2, 64), Asm.exit]))
        }
    }

    /// The statistics count what the exploration did: a program without branches is one path.
    @Test func statisticsCountOnePath() throws {
        let program = try TCProgram(instructions: [Asm.mov(0, 0), Asm.add(0, 1), Asm.exit])
        #expect(program.program.pathStatistics == PathStatistics(processed: 3, totalStates: 0, peakStates: 0, pruned: 0))
    }

    /// `caller_facts` of the SKB corpus (Tests/Fixtures/corpus/skb/identity.c) stores sixteen
    /// comparisons of helper results on the stack as bytes, then hands them to
    /// bpf_skb_store_bytes: explored to the end, within the kernel's budget (the kernel:
    /// processed 337676 insns, total_states 27248 on Linux 6.18; here about 320,000, the bytes
    /// told apart as the kernel's STACK_ZERO and STACK_MISC), where it gave up at 1,000,000
    /// instructions before.
    @Test func callerFactsIsExploredToTheEnd() throws {
        var bytes = try Fixtures.section("tc", of: "../corpus/skb/identity.o")
        // The one `lddw` of a map (`last_cookie`) as the loader relocates it: map index 0.
        let lddw = try #require(stride(from: 0, to: bytes.count - 8, by: 8).first { at in
            bytes[at] == 0x18 && bytes[at + 1] == 0x01 && bytes[at + 4 ..< at + 8].allSatisfy { $0 == 0 }
        })
        bytes[lddw + 1] = bytes[lddw + 1] & 0x0f | 0x50
        let map = try BPFMap.create(MapSpec(name: "last_cookie", type: .array, keySize: 4, valueSize: 8, maxEntries: 1),
                                    possibleCPUs: 2)
        let program = try TCProgram(bytes: bytes, maps: [map])
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed < 1_000_000)
    }
}
