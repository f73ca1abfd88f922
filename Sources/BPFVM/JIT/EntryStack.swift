/// How many bytes of the entry frame a run must zero and may reach: the whole 512-byte frame,
/// or, for a program whose frame pointer never leaves r10, only the bytes its r10-relative
/// accesses touch.
///
/// A program that copies r10 nowhere (no `mov`, no arithmetic, no compare, no store of it, no
/// call that could hand a frame to another function) can reach its frame only through r10 and
/// the constant offsets of its instructions, so the bytes below the deepest of them are
/// unreachable: the run neither zeroes them nor lets any other pointer into them (the frame's
/// range starts at the deepest offset). Anything else, or any doubt, gets the whole frame.
enum EntryStack {
    static func bytes(_ ops: UnsafeBufferPointer<ExecOp>) -> Int {
        let whole = VMLimits.stackPerFrame
        var deepest = 0
        for op in ops {
            guard op.src == 10 || op.dst == 10 || op.code == .callLocal || op.code == .callRegister else { continue }
            guard let base = frameBase(op) else { return whole }
            let size = accessSize(op)
            // Only accesses wholly inside the frame qualify; the verifier refuses the others, but
            // doubt means the whole frame.
            guard base == 10, op.offset < 0, Int(op.offset) >= -whole, Int(op.offset) + size <= 0 else { return whole }
            deepest = max(deepest, -Int(op.offset))
        }
        // 16-byte multiples, as frames are laid out; never more than the frame.
        return min(whole, (deepest + 15) & ~15)
    }

    /// The register `op` uses as an address base when r10 appears in it only in that role;
    /// nil when r10 is read any other way (or the op is a call).
    private static func frameBase(_ op: ExecOp) -> UInt8? {
        switch op.code {
        case .ldxB, .ldxH, .ldxW, .ldxDW, .ldxSB, .ldxSH, .ldxSW, .ldxCtxField, .ldxCtxPointer, .loadAcquire:
            return op.dst == 10 ? nil : op.src
        case .stB, .stH, .stW, .stDW:
            return op.src == 10 ? nil : op.dst
        case .stxB, .stxH, .stxW, .stxDW, .stxCtxField, .atomic32, .atomic64, .storeRelease:
            return op.src == 10 ? nil : op.dst
        default:
            return nil
        }
    }

    private static func accessSize(_ op: ExecOp) -> Int {
        switch op.code {
        case .ldxB, .ldxSB, .stxB, .stB: 1
        case .ldxH, .ldxSH, .stxH, .stH: 2
        case .ldxW, .ldxSW, .stxW, .stW, .atomic32, .ldxCtxPointer: 4
        case .ldxCtxField, .stxCtxField: Int(op.aux & 0xf)
        case .loadAcquire, .storeRelease: Int(op.aux)
        default: 8
        }
    }
}
