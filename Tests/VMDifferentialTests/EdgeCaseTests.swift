import BPFCore
import BPFVM
import LinuxKernel
import Testing

/// Hand-written arithmetic edge cases: the VM must give the value RFC 9669 defines, and the
/// kernel the same (where it can run). Each case runs twice, returning r0's low and high halves.
struct EdgeCaseTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Leaves the result in r0.
        var body: [Instruction]
        var expected: UInt64
        var testDescription: String { name }
    }

    static let value: UInt64 = 0xdead_beef_1234_5678

    static let cases: [Case] = [
        Case(name: "div64 by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.div, true, src: 1)], expected: 0),
        Case(name: "mod64 by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.mod, true, src: 1)], expected: value),
        Case(name: "div32 by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.div, false, src: 1)], expected: 0),
        Case(name: "mod32 by 0 clears the upper half",
             body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.mod, false, src: 1)], expected: 0x1234_5678),
        Case(name: "mod32 by a register whose low half is 0",
             body: Asm.lddw(0, value) + Asm.lddw(1, 0x7_0000_0000) + [alu(.mod, false, src: 1)], expected: 0x1234_5678),
        Case(name: "sdiv64 by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.div, true, src: 1, offset: 1)], expected: 0),
        Case(name: "smod64 by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.mod, true, src: 1, offset: 1)], expected: value),
        Case(name: "smod32 by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 0), alu(.mod, false, src: 1, offset: 1)],
             expected: 0x1234_5678),
        Case(name: "sdiv64 INT64_MIN / -1", body: Asm.lddw(0, 1 << 63) + [Asm.mov(1, -1), alu(.div, true, src: 1, offset: 1)],
             expected: 1 << 63),
        Case(name: "sdiv64 INT64_MIN / imm -1", body: Asm.lddw(0, 1 << 63) + [alu(.div, true, imm: -1, offset: 1)],
             expected: 1 << 63),
        Case(name: "sdiv32 INT32_MIN / -1", body: Asm.lddw(0, 0xffff_ffff_8000_0000) + [alu(.div, false, imm: -1, offset: 1)],
             expected: 0x8000_0000),
        Case(name: "smod64 INT64_MIN % -1", body: Asm.lddw(0, 1 << 63) + [Asm.mov(1, -1), alu(.mod, true, src: 1, offset: 1)],
             expected: 0),
        Case(name: "smod32 INT32_MIN % imm -1", body: [Asm.mov(0, Int32.min), alu(.mod, false, imm: -1, offset: 1)], expected: 0),
        Case(name: "smod64 -7 % 2 keeps the sign", body: [Asm.mov(0, -7), alu(.mod, true, imm: 2, offset: 1)],
             expected: UInt64(bitPattern: -1)),
        Case(name: "sdiv64 -7 / 2 rounds toward zero", body: [Asm.mov(0, -7), alu(.div, true, imm: 2, offset: 1)],
             expected: UInt64(bitPattern: -3)),
        Case(name: "smod32 -7 % -2", body: [Asm.mov(0, -7), alu(.mod, false, imm: -2, offset: 1)], expected: 0xffff_ffff),
        Case(name: "arsh64 INT64_MIN by 63", body: Asm.lddw(0, 1 << 63) + [alu(.arsh, true, imm: 63)], expected: .max),
        Case(name: "arsh32 by 31 clears the upper half", body: [Asm.mov(0, Int32.min), alu(.arsh, false, imm: 31)],
             expected: 0xffff_ffff),
        Case(name: "lsh64 by register 64 is by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 64), alu(.lsh, true, src: 1)],
             expected: value),
        Case(name: "rsh64 by register 65 is by 1", body: Asm.lddw(0, value) + [Asm.mov(1, 65), alu(.rsh, true, src: 1)],
             expected: value >> 1),
        Case(name: "lsh32 by register 32 is by 0", body: Asm.lddw(0, value) + [Asm.mov(1, 32), alu(.lsh, false, src: 1)],
             expected: 0x1234_5678),
        Case(name: "arsh32 by register -1 is by 31", body: [Asm.mov(0, Int32.min), Asm.mov(1, -1), alu(.arsh, false, src: 1)],
             expected: 0xffff_ffff),
        Case(name: "movsx8 to 64", body: [Asm.mov(1, 0x1280), alu(.mov, true, src: 1, offset: 8)],
             expected: 0xffff_ffff_ffff_ff80),
        Case(name: "movsx16 to 64", body: [Asm.mov(1, 0x1_8000), alu(.mov, true, src: 1, offset: 16)],
             expected: 0xffff_ffff_ffff_8000),
        Case(name: "movsx32 to 64", body: Asm.lddw(1, 0x5_8000_0000) + [alu(.mov, true, src: 1, offset: 32)],
             expected: 0xffff_ffff_8000_0000),
        Case(name: "movsx8 to 32 clears the upper half", body: [Asm.mov(1, 0xff), alu(.mov, false, src: 1, offset: 8)],
             expected: 0xffff_ffff),
        Case(name: "movsx16 to 32", body: Asm.lddw(1, value) + [alu(.mov, false, src: 1, offset: 16)], expected: 0x5678),
        Case(name: "bswap16", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 16, wide: true, bigEndian: false)],
             expected: 0x7856),
        Case(name: "bswap32", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 32, wide: true, bigEndian: false)],
             expected: 0x7856_3412),
        Case(name: "bswap64", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 64, wide: true, bigEndian: false)],
             expected: 0x7856_3412_efbe_adde),
        Case(name: "be16", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 16, wide: false, bigEndian: true)],
             expected: 0x7856),
        Case(name: "be64", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 64, wide: false, bigEndian: true)],
             expected: 0x7856_3412_efbe_adde),
        Case(name: "le16 truncates", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 16, wide: false, bigEndian: false)],
             expected: 0x5678),
        Case(name: "le32 truncates", body: Asm.lddw(0, value) + [Asm.byteSwap(dst: 0, bits: 32, wide: false, bigEndian: false)],
             expected: 0x1234_5678),
        Case(name: "add32 wraps and clears the upper half",
             body: [Asm.mov(0, -1), alu(.add, false, imm: 1)], expected: 0),
        Case(name: "neg32 INT32_MIN", body: [Asm.mov(0, Int32.min), Asm.alu(.neg, wide: false, dst: 0)], expected: 0x8000_0000),
        Case(name: "mul32 wraps", body: [Asm.mov(0, 0x10001), alu(.mul, false, imm: 0x10001)], expected: 0x2_0001),
    ]

    static func alu(_ op: ALUOpcode, _ wide: Bool, src: UInt8? = nil, imm: Int32 = 0, offset: Int16 = 0) -> Instruction {
        Asm.alu(op, wide: wide, dst: 0, src: src, imm: imm, offset: offset)
    }

    /// The case's program returning the low (`high == false`) or high half of r0.
    static func program(_ test: Case, high: Bool) -> [Instruction] {
        test.body + (high ? [Asm.alu(.rsh, wide: true, dst: 0, imm: 32)] : []) + [Asm.exit]
    }

    static let executors: [ExecutorKind] = ExecutorKind.jitAvailable ? [.interpreter, .jit] : [.interpreter]

    @Test(arguments: cases, executors) func vmComputesTheDefinedValue(_ test: Case, on executor: ExecutorKind) throws {
        let r0 = try DualRunner.runOnVM(Instruction.encode(Self.program(test, high: false)), on: executor).get()
        #expect(r0 == test.expected, "\(test.name): \(executor) \(hex(r0)), expected \(hex(test.expected))")
    }

    @Test(needsKernel, arguments: cases) func kernelAgrees(_ test: Case) throws {
        let world = try KernelSystem()
        defer { world.shutdown() }
        let runner = DualRunner(world: world)
        for high in [false, true] {
            let expected = UInt32(truncatingIfNeeded: high ? test.expected >> 32 : test.expected)
            let outcome = try runner.run(Self.program(test, high: high))
            #expect(outcome == .ran(kernel: expected, vm: expected), "\(test.name), \(high ? "high" : "low") half")
        }
    }
}
