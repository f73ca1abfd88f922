import BPFCore

/// Just enough of an assembler for the hand-written test programs (RFC 9669 opcodes).
enum Asm {
    static func mov(_ dst: UInt8, _ imm: Int32) -> Instruction { Instruction(opcode: 0xb7, dst: dst, imm: imm) }
    static func movReg(_ dst: UInt8, _ src: UInt8) -> Instruction { Instruction(opcode: 0xbf, dst: dst, src: src) }
    static func add(_ dst: UInt8, _ imm: Int32) -> Instruction { Instruction(opcode: 0x07, dst: dst, imm: imm) }
    static func addReg(_ dst: UInt8, _ src: UInt8) -> Instruction { Instruction(opcode: 0x0f, dst: dst, src: src) }
    static func mul(_ dst: UInt8, _ imm: Int32) -> Instruction { Instruction(opcode: 0x27, dst: dst, imm: imm) }
    static func call(_ id: Int32) -> Instruction { Instruction(opcode: 0x85, imm: id) }
    static let exit = Instruction(opcode: 0x95)
    /// `if dst == imm goto +offset`.
    static func jeq(_ dst: UInt8, _ imm: Int32, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x15, dst: dst, offset: offset, imm: imm)
    }
    /// `dst = *(size *)(src + offset)`; size 1, 2, 4 or 8.
    static func load(_ size: Int, _ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Instruction {
        Instruction(opcode: 0x61 & ~0x18 | sizeBits(size), dst: dst, src: src, offset: offset)
    }
    /// `*(size *)(dst + offset) = src`.
    static func store(_ size: Int, _ dst: UInt8, _ offset: Int16, _ src: UInt8) -> Instruction {
        Instruction(opcode: 0x63 & ~0x18 | sizeBits(size), dst: dst, src: src, offset: offset)
    }
    /// `*(size *)(dst + offset) = imm`.
    static func storeImm(_ size: Int, _ dst: UInt8, _ offset: Int16, _ imm: Int32) -> Instruction {
        Instruction(opcode: 0x62 & ~0x18 | sizeBits(size), dst: dst, offset: offset, imm: imm)
    }
    /// The two slots of `lddw` with a pseudo source (1 map fd, 4 function, 5 map index, 6 map value).
    static func lddw(_ dst: UInt8, src: UInt8 = 0, _ low: Int32, high: Int32 = 0) -> [Instruction] {
        [Instruction(opcode: 0x18, dst: dst, src: src, imm: low), Instruction(opcode: 0, imm: high)]
    }

    static func sizeBits(_ size: Int) -> UInt8 {
        switch size {
        case 1: 0x10
        case 2: 0x08
        case 8: 0x18
        default: 0x00
        }
    }
}
