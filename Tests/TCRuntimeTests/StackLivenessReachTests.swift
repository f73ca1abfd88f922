import BPFCore
import BPFVM
import TCRuntime
import Testing

/// Which stack slots pruning compares, as Linux 6.18 decides it (kernel/bpf/liveness.c): a
/// pointer into the stack spilled and filled back still names its slots (FrameValues.swift),
/// and a slot read only on a path no state takes is dead (ReachedStackLiveness.swift). The
/// program is StackArgumentSlotsTests' ten steps, each storing zero or an unknown byte into
/// the top two slots, then bpf_skb_store_bytes of the 8 bytes at -32: when those byte slots
/// count, 1024 paths are followed; when they do not, the two ways of every step join.
@Suite struct StackLivenessReachTests {
    static func steps() -> [Instruction] {
        var program = [Asm.mov(3, 0), Asm.store(8, 10, -32, 3), Asm.movReg(6, 1)]
        for offset in [1, 2, 3, 4, 5, 6, 7, 9, 10, 11] as [Int16] {
            program += [Asm.load(4, 2, 1, 0), Instruction(opcode: 0x25, dst: 2, offset: 2, imm: 1000),
                        Asm.storeImm(1, 10, -offset, 0), Instruction(opcode: 0x05, offset: 1), Asm.store(1, 10, -offset, 2)]
        }
        return program
    }

    static let storeBytes = [Asm.movReg(1, 6), Asm.mov(2, 0), Asm.mov(4, 8), Asm.mov(5, 0), Asm.call(9), Asm.mov(0, 0), Asm.exit]

    static func processed(_ instructions: [Instruction]) throws -> Int {
        let program = try TCProgram(instructions: instructions)
        let statistics = try #require(program.program.pathStatistics)
        #expect(statistics.complete)
        return statistics.processed
    }

    /// The helper's pointer, r10 - 32, kept at -40 before the steps and filled back after them:
    /// the helper still reads the slot at -32 only.
    @Test func aFilledStackPointerNamesItsSlots() throws {
        let spill = [Asm.movReg(7, 10), Asm.add(7, -32), Asm.store(8, 10, -40, 7)]
        let fill = [Asm.load(8, 3, 10, -40)]
        #expect(try Self.processed(spill + Self.steps() + fill + Self.storeBytes) < 250)
    }

    /// The same fill, then an offset added from a number: where it points is not known, so every
    /// slot may be read and the byte slots count.
    @Test func aPointerMovedByANumberReachesEverySlot() throws {
        let spill = [Asm.movReg(7, 10), Asm.add(7, -32), Asm.store(8, 10, -40, 7)]
        let fill = [Asm.load(8, 3, 10, -40), Asm.load(4, 8, 6, 0), Instruction(opcode: 0x57, dst: 8, imm: 0),
                    Asm.addReg(3, 8)]
        #expect(try Self.processed(spill + Self.steps() + fill + Self.storeBytes) > 1024 * 4)
    }

    /// After the steps, a load of a byte of the slot at -8 behind a comparison of a known zero: no
    /// path reaches it, so the slot is dead at every join.
    @Test func aReadNoPathReachesKeepsNothingLive() throws {
        let guarded = [Asm.mov(5, 0), Asm.jeq(5, 0, 1), Asm.load(1, 9, 10, -1)]
        let pointer = [Asm.movReg(3, 10), Asm.add(3, -32)]
        #expect(try Self.processed(Self.steps() + guarded + pointer + Self.storeBytes) < 250)
    }

    /// The same load behind a comparison the verifier cannot decide: it is reached, and the
    /// byte slot is live.
    @Test func aReadSomePathReachesKeepsItsSlotLive() throws {
        let guarded = [Asm.load(4, 5, 6, 4), Asm.jeq(5, 0, 1), Asm.load(1, 9, 10, -1)]
        let pointer = [Asm.movReg(3, 10), Asm.add(3, -32)]
        #expect(try Self.processed(Self.steps() + guarded + pointer + Self.storeBytes) > 1024 * 4)
    }

    /// A stack pointer spilled somewhere, then packet pointers loaded from the context and a
    /// packet byte read after the steps: only a fill from the stack gives a stack pointer back
    /// (StackPointers.swift), so the packet read reads no slot and the byte slots stay dead.
    @Test func aPointerLoadedFromTheContextIsNoStackPointer() throws {
        let spill = [Asm.movReg(7, 10), Asm.add(7, -32), Asm.store(8, 10, -40, 7),
                     Asm.load(4, 8, 1, 76), Asm.load(4, 9, 1, 80)]
        let packetRead = [Asm.movReg(3, 8), Asm.add(3, 1), Instruction(opcode: 0x2d, dst: 3, src: 9, offset: 1),
                          Asm.load(1, 5, 8, 0)]
        let pointer = [Asm.movReg(3, 10), Asm.add(3, -32)]
        #expect(try Self.processed(spill + Self.steps() + packetRead + pointer + Self.storeBytes) < 250)
    }
}

/// An atomic add checks where it writes, not the number it adds (the kernel's check_atomic marks
/// no operand precise, PathPrecision.swift): a sum of ten independent choices added atomically to
/// a slot does not keep the 1024 sums apart.
@Suite struct AtomicPrecisionTests {
    @Test func anAtomicsOperandDecidesNothing() throws {
        var program = [Asm.movReg(6, 1), Asm.mov(7, 0), Asm.store(8, 10, -48, 7)]
        for bit in 0 ..< 10 {
            program += [Asm.load(4, 2, 6, 0), Instruction(opcode: 0x25, dst: 2, offset: 1, imm: 1000), Asm.add(7, 1 << bit)]
        }
        program += [Instruction(opcode: 0xdb, dst: 10, src: 7, offset: -48, imm: 0), Asm.mov(0, 0), Asm.exit]
        let compiled = try TCProgram(instructions: program)
        let statistics = try #require(compiled.program.pathStatistics)
        #expect(statistics.complete)
        #expect(statistics.processed < 250)
    }
}

