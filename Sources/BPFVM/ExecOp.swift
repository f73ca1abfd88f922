/// One instruction in the form the interpreter executes: 16 bytes, every field pre-computed
/// (sign-extended immediates, absolute jump targets, resolved 64-bit constants), and one
/// dense code per (operation, width, operand kind) so dispatch is a single jump table.
struct ExecOp {
    var code: ExecCode
    var dst: UInt8
    var src: UInt8
    /// Access size in bytes for atomics and packet loads; the atomic operation code otherwise unused.
    var aux: UInt8 = 0
    /// Memory offset, or the absolute target of a jump or local call.
    var offset: Int32
    /// Immediate, sign-extended to 64 bits; the whole constant for `lddw`; the helper id for calls.
    var imm: Int64

    /// `ldxCtxField`'s `aux`: the size in bytes, and this bit for a sign-extending load.
    static let signedLoad: UInt8 = 0x80
    /// `stxCtxField`'s `aux`: the size in bytes, and this bit when only the low 16 bits are kept.
    static let keepsLowHalf: UInt8 = 0x40

    /// `stxCtxField`'s `imm`: the flag byte's offset in the low 32 bits and, when the store is
    /// ignored from a limit on, that limit in the high 32 (0: no limit).
    static func contextStore(flag: Int, limit: UInt32?) -> Int64 {
        Int64(bitPattern: UInt64(UInt32(truncatingIfNeeded: flag)) | UInt64(limit ?? 0) << 32)
    }

    var contextStoreFlag: Int32 { Int32(truncatingIfNeeded: imm) }
    var contextStoreLimit: UInt32 { UInt32(truncatingIfNeeded: UInt64(bitPattern: imm) >> 32) }
    /// The bytes of the context block a `stxCtxField` through the context itself touches.
    var contextStoreExtent: Int64 { max(Int64(offset) + Int64(aux & 0xf), Int64(contextStoreFlag) + 1) }

    init(_ code: ExecCode, dst: UInt8 = 0, src: UInt8 = 0, aux: UInt8 = 0, offset: Int32 = 0, imm: Int64 = 0) {
        self.code = code
        self.dst = dst
        self.src = src
        self.aux = aux
        self.offset = offset
        self.imm = imm
    }
}

/// Suffixes: `I` immediate operand, `R` register operand; `64`/`32` operation width.
enum ExecCode: UInt8 {
    case add64I, add64R, sub64I, sub64R, mul64I, mul64R, div64I, div64R, sdiv64I, sdiv64R
    case mod64I, mod64R, smod64I, smod64R, or64I, or64R, and64I, and64R, xor64I, xor64R
    case lsh64I, lsh64R, rsh64I, rsh64R, arsh64I, arsh64R, mov64I, mov64R, neg64
    case movsx8to64, movsx16to64, movsx32to64
    case add32I, add32R, sub32I, sub32R, mul32I, mul32R, div32I, div32R, sdiv32I, sdiv32R
    case mod32I, mod32R, smod32I, smod32R, or32I, or32R, and32I, and32R, xor32I, xor32R
    case lsh32I, lsh32R, rsh32I, rsh32R, arsh32I, arsh32R, mov32I, mov32R, neg32
    case movsx8to32, movsx16to32
    case le16, le32, le64, be16, be32, be64, swap16, swap32, swap64
    case loadImm64
    case ldxB, ldxH, ldxW, ldxDW, ldxSB, ldxSH, ldxSW
    /// A 32-bit load at a context offset listed in `VerifierOptions.contextPacketPointers`;
    /// `aux` is the `PacketPointer`.
    case ldxCtxPointer
    /// A load at a context offset `VerifierOptions.contextDirectReads` lists: through the
    /// context's address it reads the block without asking `RunEnvironment.memory`; through
    /// anything else it is an ordinary load. `aux`: size, `ExecOp.signedLoad`.
    case ldxCtxField
    /// A load through a BTF pointer (the kernel's BPF_PROBE_MEM): from memory the run may read,
    /// else 0, never a fault. `aux`: size, `ExecOp.signedLoad`.
    case ldxProbe
    case stxB, stxH, stxW, stxDW, stB, stH, stW, stDW
    /// A register store at a context offset `VerifierOptions.contextDirectWrites` lists: through
    /// the context's address (the block covering the field and the flag) it writes the block
    /// and sets the flag byte; through anything else it is an ordinary store. `aux`: size;
    /// `imm`: `ExecOp.contextStore(flag:limit:)`.
    case stxCtxField
    case atomic32, atomic64, loadAcquire, storeRelease
    case ldAbs, ldInd
    case ja
    case jeq64I, jeq64R, jne64I, jne64R, jgt64I, jgt64R, jge64I, jge64R, jlt64I, jlt64R
    case jle64I, jle64R, jset64I, jset64R, jsgt64I, jsgt64R, jsge64I, jsge64R
    case jslt64I, jslt64R, jsle64I, jsle64R
    case jeq32I, jeq32R, jne32I, jne32R, jgt32I, jgt32R, jge32I, jge32R, jlt32I, jlt32R
    case jle32I, jle32R, jset32I, jset32R, jsgt32I, jsgt32R, jsge32I, jsge32R
    case jslt32I, jslt32R, jsle32I, jsle32R
    case callHelper, callLocal, callRegister, tailCall, exit
    /// `may_goto` as the kernel's timed rewrite runs it (`MayGotoClock`): jumps to `offset` once
    /// the frame's slice is spent, else falls through.
    case mayGoto
    /// The second slot of `lddw`; never executed because the verifier forbids jumping there.
    case unreachable
}

/// The atomic read-modify-write operations, stored in `ExecOp.aux`.
enum AtomicCode: UInt8 {
    case add, or, and, xor, fetchAdd, fetchOr, fetchAnd, fetchXor, xchg, cmpxchg
}
