/// Which registers hold a value the compiler knows, followed in program order within straight
/// code: an `lddw` constant (a global variable's or a map value's address), a 64-bit move of an
/// immediate, and 64-bit adds and subtracts of immediates to those, and copies. Everything is
/// forgotten at each jump or call target and after anything that does not fall through, and a
/// register is forgotten whenever an instruction the list does not know may write it.
///
/// An access through such a register has an address known at load: when it lies inside one of
/// the program's regions (which are fixed at load) the JIT emits it without a check, since the
/// shared check routine would allow it by that region. Any other address is checked as before.
struct KnownConstants {
    private var values: [UInt64?] = Array(repeating: nil, count: 10)

    /// The value of `r`, when known.
    func value(of r: UInt8) -> UInt64? { r < 10 ? values[Int(r)] : nil }

    mutating func forgetAll() {
        for r in values.indices { values[r] = nil }
    }

    private mutating func set(_ r: UInt8, _ value: UInt64?) {
        guard r < 10 else { return }
        values[Int(r)] = value
    }

    /// The knowledge after `op`.
    mutating func follow(_ op: ExecOp) {
        switch op.code {
        case .loadImm64, .mov64I:
            set(op.dst, UInt64(bitPattern: op.imm))
        case .mov64R:
            set(op.dst, value(of: op.src))
        case .add64I:
            set(op.dst, value(of: op.dst).map { $0 &+ UInt64(bitPattern: op.imm) })
        case .sub64I:
            set(op.dst, value(of: op.dst).map { $0 &- UInt64(bitPattern: op.imm) })
        case .stxB, .stxH, .stxW, .stxDW, .stB, .stH, .stW, .stDW, .stxCtxField, .mayGoto,
             .jeq64I, .jeq64R, .jne64I, .jne64R, .jgt64I, .jgt64R, .jge64I, .jge64R, .jlt64I, .jlt64R,
             .jle64I, .jle64R, .jset64I, .jset64R, .jsgt64I, .jsgt64R, .jsge64I, .jsge64R,
             .jslt64I, .jslt64R, .jsle64I, .jsle64R,
             .jeq32I, .jeq32R, .jne32I, .jne32R, .jgt32I, .jgt32R, .jge32I, .jge32R, .jlt32I, .jlt32R,
             .jle32I, .jle32R, .jset32I, .jset32R, .jsgt32I, .jsgt32R, .jsge32I, .jsge32R,
             .jslt32I, .jslt32R, .jsle32I, .jsle32R:
            // They write no register.
            break
        case .unreachable:
            // The second slot of an `lddw` (which keeps what the first set); any other faults
            // when reached, so what follows it is reached only as a jump target.
            break
        case .ja, .exit, .tailCall, .callHelper, .callRegister:
            // No fall-through (a tail call that does not jump goes on); after a helper the
            // registers are reloaded from the block Swift could write: nothing is assumed.
            forgetAll()
        case .callLocal, .atomic32, .atomic64, .ldAbs, .ldInd:
            // r0-r5 are the callee's (the code keeps r6-r9 on its own stack across the call);
            // atomics write r0 or their source, packet loads r0.
            for r in 0...5 { values[r] = nil }
            set(op.src, nil)
            set(op.dst, nil)
        default:
            set(op.dst, nil)
        }
    }
}
