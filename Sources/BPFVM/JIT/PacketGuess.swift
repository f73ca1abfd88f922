/// Which registers probably hold packet pointers, followed in program order as the JIT compiles:
/// `data` loaded from the context, and copies and constant moves of it. Only a guess for the
/// order of the inline checks (a packet access is checked against the packet first, without the
/// detour through the stack check and an out-of-line stub); it decides nothing about what an
/// access may touch, so being wrong costs time, never safety.
struct PacketGuess {
    private var registers: UInt16 = 0

    func contains(_ r: UInt8) -> Bool { r < 16 && registers & (1 << r) != 0 }

    private mutating func set(_ r: UInt8, _ value: Bool) {
        guard r < 16 else { return }
        if value { registers |= 1 << r } else { registers &= ~(1 << r) }
    }

    /// The guess after `op`.
    mutating func follow(_ op: ExecOp) {
        switch op.code {
        case .ldxCtxPointer:
            set(op.dst, op.aux == PacketPointer.start.rawValue)
        case .mov64R:
            set(op.dst, contains(op.src))
        case .add64I, .sub64I:
            break
        case .add64R:
            set(op.dst, contains(op.dst) || contains(op.src))
        case .stxB, .stxH, .stxW, .stxDW, .stxCtxField, .stB, .stH, .stW, .stDW, .storeRelease, .ja, .mayGoto, .exit, .unreachable,
             .jeq64I, .jeq64R, .jne64I, .jne64R, .jgt64I, .jgt64R, .jge64I, .jge64R, .jlt64I, .jlt64R,
             .jle64I, .jle64R, .jset64I, .jset64R, .jsgt64I, .jsgt64R, .jsge64I, .jsge64R,
             .jslt64I, .jslt64R, .jsle64I, .jsle64R,
             .jeq32I, .jeq32R, .jne32I, .jne32R, .jgt32I, .jgt32R, .jge32I, .jge32R, .jlt32I, .jlt32R,
             .jle32I, .jle32R, .jset32I, .jset32R, .jsgt32I, .jsgt32R, .jsge32I, .jsge32R,
             .jslt32I, .jslt32R, .jsle32I, .jsle32R:
            break
        case .callHelper, .callRegister, .callLocal, .tailCall:
            // Helpers may move the packet; r0-r5 are theirs.
            registers &= ~0x3f
        case .atomic32, .atomic64, .ldAbs, .ldInd:
            set(op.src, false)
            set(0, false)
        default:
            set(op.dst, false)
        }
    }
}
