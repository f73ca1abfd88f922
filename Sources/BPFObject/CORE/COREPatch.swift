import BPFCore

/// Writes a relocation's value into its instruction, by instruction class, or poisons it.
enum COREPatch {
    /// The helper id libbpf calls in a poisoned instruction ("bad relo"); the verifier refuses
    /// it only if the instruction is reachable.
    static let poisonHelper: Int32 = 0xbad2310

    static let classLD: UInt8 = 0x00, classLDX: UInt8 = 0x01, classST: UInt8 = 0x02, classSTX: UInt8 = 0x03
    static let classALU: UInt8 = 0x04, classALU64: UInt8 = 0x07

    /// Patches `code[at]` (and `code[at + 1]` for ld_imm64).
    static func apply(_ result: COREResult, to code: inout [Instruction], at i: Int) throws(COREFailure) {
        let insn = code[i]
        let isLoadImm64 = insn.opcode == 0x18
        if result.poison {
            poison(&code, at: i, isLoadImm64: isLoadImm64)
            return
        }
        switch insn.opcode & 0x07 {
        case classALU, classALU64:
            guard insn.opcode & 0x08 == 0 else {
                throw COREFailure("instruction #\(i) is an ALU operation on a register, not an immediate")
            }
            if result.validate, UInt64(UInt32(bitPattern: insn.imm)) != result.original {
                throw COREFailure("instruction #\(i) (ALU) holds \(UInt32(bitPattern: insn.imm)), expected \(result.original)")
            }
            code[i].imm = Int32(truncatingIfNeeded: result.new)
        case classLDX, classST, classSTX:
            if result.validate, Int64(insn.offset) != Int64(truncatingIfNeeded: result.original) {
                throw COREFailure("instruction #\(i) (LDX/ST/STX) has offset \(insn.offset), expected \(result.original)")
            }
            guard result.new <= UInt64(Int16.max) else {
                throw COREFailure("instruction #\(i) (LDX/ST/STX) would need offset \(result.new), more than 32767", errno: .ERANGE)
            }
            if result.failsSizeAdjust {
                // libbpf poisons the access instead of failing, so guarded code still loads.
                poison(&code, at: i, isLoadImm64: false)
                return
            }
            code[i].offset = Int16(result.new)
            if result.newSize != result.originalSize {
                guard let oldSize = accessBytes(insn.opcode), UInt32(oldSize) == result.originalSize else {
                    throw COREFailure("instruction #\(i) (LDX/ST/STX) accesses a size other than the field's \(result.originalSize) bytes")
                }
                guard let sizeBits = sizeBits(result.newSize) else {
                    throw COREFailure("instruction #\(i) (LDX/ST/STX) cannot access \(result.newSize) bytes")
                }
                code[i].opcode = insn.opcode & ~0x18 | sizeBits
            }
        case classLD:
            guard isLoadImm64, i + 1 < code.count, insn.src == 0, insn.offset == 0,
                  code[i + 1].opcode == 0, code[i + 1].dst == 0, code[i + 1].src == 0, code[i + 1].offset == 0 else {
                throw COREFailure("instruction #\(i) (LDIMM64) has an unexpected form")
            }
            let current = UInt64(UInt32(bitPattern: insn.imm)) | UInt64(UInt32(bitPattern: code[i + 1].imm)) << 32
            if result.validate, current != result.original {
                throw COREFailure("instruction #\(i) (LDIMM64) holds \(current), expected \(result.original)")
            }
            code[i].imm = Int32(truncatingIfNeeded: result.new)
            code[i + 1].imm = Int32(truncatingIfNeeded: result.new >> 32)
        default:
            throw COREFailure("instruction #\(i) (opcode 0x\(String(insn.opcode, radix: 16))) cannot carry a CO-RE relocation")
        }
    }

    /// Replaces the instruction by a call to the "bad relo" helper; both halves of ld_imm64.
    static func poison(_ code: inout [Instruction], at i: Int, isLoadImm64: Bool) {
        let call = Instruction(opcode: 0x85, imm: poisonHelper)
        code[i] = call
        if isLoadImm64, i + 1 < code.count { code[i + 1] = call }
    }

    private static func accessBytes(_ opcode: UInt8) -> Int? {
        switch opcode & 0x18 {
        case 0x00: 4
        case 0x08: 2
        case 0x10: 1
        default: 8
        }
    }

    private static func sizeBits(_ bytes: UInt32) -> UInt8? {
        switch bytes {
        case 4: 0x00
        case 2: 0x08
        case 1: 0x10
        case 8: 0x18
        default: nil
        }
    }
}
