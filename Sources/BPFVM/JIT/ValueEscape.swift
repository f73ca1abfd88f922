/// Whether the value pointer a map lookup leaves in r0 can still be held by the program after
/// its next call: the JIT hands a direct lookup's grant to the run's provider only then
/// (`JITStateView.handOverGrant`), since a value no register or memory holds can no longer be
/// reached. Follows every path from the lookup: r0 may be the base of loads, stores and atomics
/// other than a compare-exchange, gain
/// constants and be compared with them; anything else that reads it (a copy, a store of it, a
/// compare with a register, an exit, a call that is not a helper's) lets it escape. A path ends
/// where r0 is overwritten or at the next helper call, which sets r0. Unsure means escaped.
enum ValueEscape {
    /// Paths are followed over at most this many instructions; longer ones count as escaped.
    static let budget = 512

    static func diesAtNextCall(_ ops: UnsafeBufferPointer<ExecOp>, after call: Int) -> Bool {
        var pending = [call + 1], seen: Set<Int> = []
        while let i = pending.popLast() {
            guard i >= 0, i < ops.count else { return false }
            guard seen.insert(i).inserted else { continue }
            guard seen.count <= budget else { return false }
            switch step(ops[i]) {
            case .escapes: return false
            case .ends: continue
            case .continues: pending.append(ops[i].code == .loadImm64 ? i + 2 : i + 1)  // lddw takes two slots
            case .branches(let target):
                pending.append(i + 1)
                pending.append(target)
            case .jumps(let target): pending.append(target)
            }
        }
        return true
    }

    enum Step: Equatable {
        case escapes, ends, continues
        case branches(Int), jumps(Int)
    }

    /// What `op` does with the pointer in r0.
    static func step(_ op: ExecOp) -> Step {
        let code = op.code.rawValue
        switch op.code {
        case .callHelper:
            return .ends  // r1-r5 are read, r0 is set
        case .atomic32, .atomic64:
            // r0 as the base of `lock *(r0 + off) op= rX` only changes memory (a fetch writes
            // rX); r0 as the operand is stored, and a compare-exchange reads and sets r0.
            return op.src == 0 || AtomicCode(rawValue: op.aux) == .cmpxchg ? .escapes : .continues
        case .callLocal, .callRegister, .tailCall, .exit, .loadAcquire, .storeRelease,
             .ldAbs, .ldInd, .unreachable:
            return .escapes
        case .ja:
            return .jumps(Int(op.offset))
        case .ldxB, .ldxH, .ldxW, .ldxDW, .ldxSB, .ldxSH, .ldxSW, .ldxCtxPointer, .ldxCtxField, .ldxProbe:
            return op.dst == 0 ? .ends : .continues  // r0 as the base only reads memory
        case .stxB, .stxH, .stxW, .stxDW, .stxCtxField:
            return op.src == 0 ? .escapes : .continues
        case .stB, .stH, .stW, .stDW:
            return .continues
        case .loadImm64, .mov64I, .mov32I:
            return op.dst == 0 ? .ends : .continues
        case .mov64R, .mov32R, .movsx8to64, .movsx16to64, .movsx32to64, .movsx8to32, .movsx16to32:
            if op.src == 0 { return op.dst == 0 ? .continues : .escapes }
            return op.dst == 0 ? .ends : .continues
        default:
            break
        }
        if (ExecCode.jeq64I.rawValue...ExecCode.jsle32R.rawValue).contains(code) {
            // Immediate and register forms alternate, immediate first.
            let register = (code - ExecCode.jeq64I.rawValue) % 2 == 1
            if register && (op.dst == 0 || op.src == 0) { return .escapes }
            return .branches(Int(op.offset))
        }
        if code <= ExecCode.swap64.rawValue {
            // Arithmetic: the result stays where its destination is. Register forms read src.
            let register = Self.registerForms.contains(op.code)
            if register && op.src == 0 && op.dst != 0 { return .escapes }
            return .continues
        }
        return .escapes
    }

    /// The arithmetic operations that read a source register.
    static let registerForms: Set<ExecCode> = [
        .add64R, .sub64R, .mul64R, .div64R, .sdiv64R, .mod64R, .smod64R, .or64R, .and64R, .xor64R,
        .lsh64R, .rsh64R, .arsh64R, .add32R, .sub32R, .mul32R, .div32R, .sdiv32R, .mod32R, .smod32R,
        .or32R, .and32R, .xor32R, .lsh32R, .rsh32R, .arsh32R,
    ]
}
