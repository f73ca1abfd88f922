/// The fields packed into an instruction's 8-bit opcode (RFC 9669 section 3).
///
/// Raw values are the bits as they sit in the opcode byte, so `opcode & 0x07` compares
/// against a class, `opcode & 0xf0` against an operation, and so on.
public enum InstructionClass: UInt8, Sendable, CaseIterable {
    case ld = 0x00, ldx = 0x01, st = 0x02, stx = 0x03
    case alu = 0x04, jmp = 0x05, jmp32 = 0x06, alu64 = 0x07

    public init(opcode: UInt8) { self = InstructionClass(rawValue: opcode & 0x07)! }
}

/// The operation nibble of an ALU or ALU64 opcode.
public enum ALUOpcode: UInt8, Sendable, CaseIterable {
    case add = 0x00, sub = 0x10, mul = 0x20, div = 0x30, or = 0x40, and = 0x50
    case lsh = 0x60, rsh = 0x70, neg = 0x80, mod = 0x90, xor = 0xa0, mov = 0xb0
    case arsh = 0xc0, end = 0xd0
}

/// The operation nibble of a JMP or JMP32 opcode.
public enum JumpOpcode: UInt8, Sendable, CaseIterable {
    case ja = 0x00, jeq = 0x10, jgt = 0x20, jge = 0x30, jset = 0x40, jne = 0x50
    case jsgt = 0x60, jsge = 0x70, call = 0x80, exit = 0x90, jlt = 0xa0, jle = 0xb0
    case jslt = 0xc0, jsle = 0xd0, jcond = 0xe0
}

/// Bit 3 of ALU and jump opcodes: the second operand is the immediate (K) or `src` (X).
public enum SourceBit: UInt8, Sendable {
    case immediate = 0x00, register = 0x08
}

/// Bits 3-4 of load and store opcodes.
public enum AccessSize: UInt8, Sendable, CaseIterable {
    case word = 0x00, half = 0x08, byte = 0x10, double = 0x18

    public var byteCount: Int {
        switch self {
        case .byte: 1
        case .half: 2
        case .word: 4
        case .double: 8
        }
    }
    /// The C type llvm-objdump prints: `u8`, `u16`, `u32`, `u64`.
    public var bits: Int { byteCount * 8 }
}

/// Bits 5-7 of load and store opcodes.
public enum AccessMode: UInt8, Sendable, CaseIterable {
    case imm = 0x00, abs = 0x20, ind = 0x40, mem = 0x60, memsx = 0x80, atomic = 0xc0
}

/// The `imm` field of a BPF_ATOMIC instruction: the operation, plus bit 0 for "fetch".
public enum AtomicOpcode: Int32, Sendable, CaseIterable {
    case add = 0x00, or = 0x40, and = 0x50, xor = 0xa0
    case fetchAdd = 0x01, fetchOr = 0x41, fetchAnd = 0x51, fetchXor = 0xa1
    case xchg = 0xe1, cmpxchg = 0xf1
    case loadAcquire = 0x100, storeRelease = 0x110
}

/// The `src` field of a 64-bit immediate load, which says how to read `imm` (RFC 9669 section 5.4).
public enum PseudoSource: UInt8, Sendable, CaseIterable {
    case none = 0
    case mapFD = 1
    case mapValue = 2
    case btfID = 3
    case function = 4
    case mapIndex = 5
    case mapIndexValue = 6
}

/// The `src` field of a CALL instruction.
public enum CallSource: UInt8, Sendable {
    case helper = 0
    case local = 1
    case kfunc = 2
}
