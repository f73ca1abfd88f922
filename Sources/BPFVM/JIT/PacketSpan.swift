/// A run of straight-line instructions whose packet accesses through one base register are
/// checked once, together: the JIT tests the whole range they touch against the packet at the
/// run's start, then runs a copy of the instructions without those checks; when the range is not
/// all inside the packet (or the base is not a packet pointer at all) it runs the ordinary copy,
/// which checks each access and faults where the interpreter faults. Nothing inside a span can
/// move the packet or change the base: it has no jumps, calls or jump targets after its first
/// instruction, and no instruction in it writes the base.
struct PacketSpan {
    /// The base register every hoisted access goes through.
    let base: UInt8
    /// The first and last instruction of the span.
    let first: Int, last: Int
    /// The offsets from `base` the accesses touch: `[low, high)`.
    let low: Int64, high: Int64

    /// The longest useful span from `start`: its first instruction a load or store through a
    /// base `guess` holds for a packet pointer, ending at the last such access before anything a
    /// span cannot hold; nil when fewer than two accesses would share the check.
    static func find(in ops: UnsafeBufferPointer<ExecOp>, at start: Int, targets: Set<Int>,
                     guess: PacketGuess) -> PacketSpan? {
        guard let (base, first) = access(ops[start]), base != 10, guess.contains(base),
              fits(ops[start], base: base) else { return nil }
        var low = first.low, high = first.high, last = start, accesses = 1
        var i = start + 1
        while i < ops.count, !targets.contains(i), fits(ops[i], base: base) {
            if let (through, range) = access(ops[i]), through == base {
                low = min(low, range.low)
                high = max(high, range.high)
                last = i
                accesses += 1
            }
            i += 1
        }
        // The whole range is compared as a 32-bit immediate; a wide one is left to each access.
        guard accesses >= 2, high - low <= 1 << 16 else { return nil }
        return PacketSpan(base: base, first: start, last: last, low: low, high: high)
    }

    /// The base and the offsets `[low, high)` of a plain load or store; nil for anything else.
    static func access(_ op: ExecOp) -> (UInt8, (low: Int64, high: Int64))? {
        let size: Int64
        let base: UInt8
        switch op.code {
        case .ldxB, .ldxSB: (size, base) = (1, op.src)
        case .ldxH, .ldxSH: (size, base) = (2, op.src)
        case .ldxW, .ldxSW: (size, base) = (4, op.src)
        case .ldxDW: (size, base) = (8, op.src)
        case .stxB, .stB: (size, base) = (1, op.dst)
        case .stxH, .stH: (size, base) = (2, op.dst)
        case .stxW, .stW: (size, base) = (4, op.dst)
        case .stxDW, .stDW: (size, base) = (8, op.dst)
        default: return nil
        }
        return (base, (Int64(op.offset), Int64(op.offset) + size))
    }

    /// Whether `op` may stand inside a span through `base`: arithmetic, plain loads and stores,
    /// none of which writes `base` (so no jump, call, exit, atomic or context access).
    private static func fits(_ op: ExecOp, base: UInt8) -> Bool {
        switch op.code {
        case .stxB, .stxH, .stxW, .stxDW, .stB, .stH, .stW, .stDW:
            return true
        case .ldxB, .ldxH, .ldxW, .ldxDW, .ldxSB, .ldxSH, .ldxSW,
             .add64I, .add64R, .sub64I, .sub64R, .mul64I, .mul64R, .or64I, .or64R, .and64I, .and64R,
             .xor64I, .xor64R, .lsh64I, .lsh64R, .rsh64I, .rsh64R, .arsh64I, .arsh64R, .mov64I, .mov64R,
             .add32I, .add32R, .sub32I, .sub32R, .mul32I, .mul32R, .or32I, .or32R, .and32I, .and32R,
             .xor32I, .xor32R, .lsh32I, .lsh32R, .rsh32I, .rsh32R, .arsh32I, .arsh32R, .mov32I, .mov32R,
             .neg64, .neg32, .movsx8to64, .movsx16to64, .movsx32to64, .movsx8to32, .movsx16to32,
             .le16, .le32, .le64, .be16, .be32, .be64, .swap16, .swap32, .swap64, .loadImm64:
            return op.dst != base
        default:
            return false
        }
    }

    /// Every instruction another one can jump or call to, and the entry.
    static func targets(of ops: UnsafeBufferPointer<ExecOp>) -> Set<Int> {
        var targets: Set<Int> = [0]
        let conditional = ExecCode.jeq64I.rawValue...ExecCode.jsle32R.rawValue
        for op in ops where op.code == .ja || op.code == .mayGoto || op.code == .callLocal
            || conditional.contains(op.code.rawValue) {
            targets.insert(Int(op.offset))
        }
        return targets
    }
}
