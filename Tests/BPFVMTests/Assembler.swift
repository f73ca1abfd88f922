import BPFCore

/// A few instruction builders so tests read like the programs they load.
enum Asm {
    static func mov(_ dst: UInt8, _ imm: Int32) -> Instruction { Instruction(opcode: 0xb7, dst: dst, imm: imm) }
    static func movReg(_ dst: UInt8, _ src: UInt8) -> Instruction { Instruction(opcode: 0xbf, dst: dst, src: src) }
    static func add(_ dst: UInt8, _ imm: Int32) -> Instruction { Instruction(opcode: 0x07, dst: dst, imm: imm) }
    static func addReg(_ dst: UInt8, _ src: UInt8) -> Instruction { Instruction(opcode: 0x0f, dst: dst, src: src) }
    static func ldxdw(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> Instruction {
        Instruction(opcode: 0x79, dst: dst, src: src, offset: off)
    }
    static func ldxb(_ dst: UInt8, _ src: UInt8, _ off: Int16) -> Instruction {
        Instruction(opcode: 0x71, dst: dst, src: src, offset: off)
    }
    static func stxdw(_ dst: UInt8, _ off: Int16, _ src: UInt8) -> Instruction {
        Instruction(opcode: 0x7b, dst: dst, src: src, offset: off)
    }
    static func stdw(_ dst: UInt8, _ off: Int16, _ imm: Int32) -> Instruction {
        Instruction(opcode: 0x7a, dst: dst, offset: off, imm: imm)
    }
    static func lddw(_ dst: UInt8, _ value: UInt64, source: UInt8 = 0) -> [Instruction] {
        [Instruction(opcode: 0x18, dst: dst, src: source, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value))),
         Instruction(opcode: 0, imm: Int32(bitPattern: UInt32(truncatingIfNeeded: value >> 32)))]
    }
    static func ja(_ off: Int16) -> Instruction { Instruction(opcode: 0x05, offset: off) }
    static func jne(_ dst: UInt8, _ imm: Int32, _ off: Int16) -> Instruction {
        Instruction(opcode: 0x55, dst: dst, offset: off, imm: imm)
    }
    static func jeq(_ dst: UInt8, _ imm: Int32, _ off: Int16) -> Instruction {
        Instruction(opcode: 0x15, dst: dst, offset: off, imm: imm)
    }
    static func call(_ helper: Int32) -> Instruction { Instruction(opcode: 0x85, imm: helper) }
    static func callLocal(_ delta: Int32) -> Instruction { Instruction(opcode: 0x85, src: 1, imm: delta) }
    static func callx(_ reg: UInt8) -> Instruction { Instruction(opcode: 0x8d, dst: reg) }
    static func atomicAdd64(_ dst: UInt8, _ off: Int16, _ src: UInt8) -> Instruction {
        Instruction(opcode: 0xdb, dst: dst, src: src, offset: off, imm: 0)
    }
    static func ldAbsB(_ imm: Int32) -> Instruction { Instruction(opcode: 0x30, imm: imm) }
    static func ldAbsW(_ imm: Int32) -> Instruction { Instruction(opcode: 0x20, imm: imm) }
    static let exit = Instruction(opcode: 0x95)
}
