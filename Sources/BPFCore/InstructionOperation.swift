/// What an instruction does, with its operands, decoded from the raw fields.
///
/// The verifier, the interpreter's compiler and the disassembler all read programs through this
/// one decoding, so an opcode means the same thing everywhere.
public enum Operation: Equatable, Sendable {
    /// `dst = dst op operand` in 32 or 64 bits (mov, neg and the sign-extending moves included).
    case alu(ALUKind, is64: Bool, dst: UInt8, Operand)
    /// Byte order conversion of the low `bits` of `dst`.
    case byteOrder(ByteOrderKind, bits: Int, dst: UInt8)
    /// The 16-byte `lddw`; `imm` is the 64-bit value as encoded (lower | upper << 32).
    case loadImm64(dst: UInt8, source: PseudoSource, imm: UInt64)
    /// `dst = *(size *)(src + offset)`, sign-extended when `signed`.
    case load(AccessSize, signed: Bool, dst: UInt8, src: UInt8, offset: Int16)
    /// `*(size *)(dst + offset) = value`.
    case store(AccessSize, dst: UInt8, value: Operand, offset: Int16)
    /// An atomic operation on `*(size *)(dst + offset)` with `src`; load-acquire alone reads
    /// `*(size *)(src + offset)` into `dst`.
    case atomic(AtomicOpcode, AccessSize, dst: UInt8, src: UInt8, offset: Int16)
    /// Legacy packet load into r0: `BPF_ABS` when `index` is nil, `BPF_IND` with it.
    case packetLoad(AccessSize, index: UInt8?, imm: Int32)
    /// Conditional jump by `offset` instructions.
    case jump(JumpCondition, is64: Bool, dst: UInt8, Operand, offset: Int16)
    /// Unconditional jump: `ja` (16-bit offset) or `gotol` (32-bit offset in imm).
    case goto(offset: Int32, long: Bool)
    /// `may_goto` (BPF_JMP | BPF_JCOND, src BPF_MAY_GOTO): jumps by `offset` once the kernel's
    /// loop budget is spent. The verifier follows both ways; the embedded backend never jumps
    /// (its own run-time budget ends a loop that runs on).
    case mayGoto(offset: Int16)
    case call(CallTarget)
    case exit
}

public enum Operand: Equatable, Sendable {
    case register(UInt8)
    case immediate(Int32)
}

public enum ALUKind: Equatable, Sendable {
    case add, sub, mul, div, sdiv, or, and, lsh, rsh, arsh, neg, mod, smod, xor, mov
    /// `movsx`: move with sign extension from 8, 16 or 32 bits.
    case movsx(bits: Int)
}

public enum ByteOrderKind: Equatable, Sendable {
    case toLittleEndian, toBigEndian, swap
}

public enum JumpCondition: Equatable, Sendable, CaseIterable {
    case eq, ne, gt, ge, lt, le, set, sgt, sge, slt, sle
}

public enum CallTarget: Equatable, Sendable {
    /// A helper function by its static id.
    case helper(Int32)
    /// A bpf-to-bpf call, `imm` instructions after the next one.
    case local(Int32)
    /// A kernel function by BTF id.
    case kfunc(Int32)
    /// `callx`: the helper id is in a register.
    case register(UInt8)
}

/// Why an instruction could not be decoded; the text follows the kernel log where one exists.
public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
