import BPFCore

/// Instruction builders for the generated and hand-written programs (opcodes from RFC 9669).
enum Asm {
    static let alu32: UInt8 = 0x04, alu64: UInt8 = 0x07, jmp: UInt8 = 0x05, jmp32: UInt8 = 0x06
    static let immediate: UInt8 = 0x00, register: UInt8 = 0x08

    /// `dst op= imm` or `dst op= src`; `offset` 1 selects sdiv/smod, 8/16/32 selects movsx.
    static func alu(_ op: ALUOpcode, wide: Bool, dst: UInt8, src: UInt8? = nil, imm: Int32 = 0,
                    offset: Int16 = 0) -> Instruction {
        let opcode = op.rawValue | (wide ? alu64 : alu32) | (src == nil ? immediate : register)
        return Instruction(opcode: opcode, dst: dst, src: src ?? 0, offset: offset, imm: imm)
    }
    static func mov(_ dst: UInt8, _ imm: Int32) -> Instruction { alu(.mov, wide: true, dst: dst, imm: imm) }
    static func movReg(_ dst: UInt8, _ src: UInt8) -> Instruction { alu(.mov, wide: true, dst: dst, src: src) }

    /// Byte swaps: ALU32 `le`/`be` (bit 3 picks big-endian) and the cpu v4 unconditional ALU64 `bswap`.
    static func byteSwap(dst: UInt8, bits: Int32, wide: Bool, bigEndian: Bool) -> Instruction {
        let opcode = ALUOpcode.end.rawValue | (wide ? alu64 : alu32) | (bigEndian && !wide ? register : immediate)
        return Instruction(opcode: opcode, dst: dst, imm: bits)
    }

    static func lddw(_ dst: UInt8, _ value: UInt64) -> [Instruction] {
        [Instruction(opcode: 0x18, dst: dst, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value))),
         Instruction(opcode: 0, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value >> 32)))]
    }

    /// A conditional jump, 64- or 32-bit, against an immediate or a register.
    static func jump(_ op: JumpOpcode, wide: Bool, dst: UInt8, src: UInt8? = nil, imm: Int32 = 0,
                     offset: Int16) -> Instruction {
        let opcode = op.rawValue | (wide ? jmp : jmp32) | (src == nil ? immediate : register)
        return Instruction(opcode: opcode, dst: dst, src: src ?? 0, offset: offset, imm: imm)
    }
    static func ja(_ offset: Int16) -> Instruction { Instruction(opcode: 0x05, offset: offset) }
    /// `gotol`: the cpu v4 jump with a 32-bit offset in `imm`.
    static func gotol(_ offset: Int32) -> Instruction { Instruction(opcode: 0x06, imm: offset) }

    /// `dst = *(u32 *)(src + offset)`.
    static func loadWord(_ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x61, dst: dst, src: src, offset: offset)
    }
    static let exit = Instruction(opcode: 0x95)

    /// Folds r0's 64 bits into the 32 bits test-run reports: `r1 = r0; r1 >>= 32; r0 ^= r1`.
    static let foldR0: [Instruction] = [movReg(1, 0), alu(.rsh, wide: true, dst: 1, imm: 32),
                                        alu(.xor, wide: true, dst: 0, src: 1)]
}
