import BPFCore

/// What a comparison of a packet pointer with the packet's end leaves on the way that proves
/// nothing, as the kernel's `mark_pkt_end` does: the compared register (only it, not its copies)
/// is known to lie beyond the end (`p > end`) or at or beyond it (`p >= end`). A later
/// comparison of that register with the end is then decided (`is_pkt_ptr_branch_taken`), so
/// clang's repeated `p > end` checks do not open a way no packet takes.
///
/// The marks live in `packetRange` as the kernel keeps them in `range`: negative, and never a
/// proven length, so no access through a marked pointer passes.
enum PacketEndMarks {
    /// `p > end`: at least one byte past the end.
    static let beyondEnd = -1
    /// `p >= end`.
    static let atEnd = -2

    /// The way a 64-bit comparison of a marked packet pointer with the end must go; nil when the
    /// marks do not decide it.
    static func decided(_ condition: JumpCondition, _ a: AbstractValue, _ b: AbstractValue) -> Bool? {
        guard let (condition, pointer, _) = normalized(condition, a, b, dst: 0, source: nil),
              pointer.packetRange < 0 else { return nil }
        let beyond = pointer.packetRange == beyondEnd
        switch condition {
        case .gt: return beyond ? true : nil
        case .le: return beyond ? false : nil
        case .ge: return true
        case .lt: return false
        default: return nil
        }
    }

    /// Marks the compared register on the way (taken, fall-through) where the pointer is past or at the end.
    static func mark(_ outcome: inout (PathState?, PathState?), _ condition: JumpCondition,
                     _ a: AbstractValue, _ b: AbstractValue, dst: Int, source: Int?) {
        guard let (condition, _, register) = normalized(condition, a, b, dst: dst, source: source),
              let register else { return }
        switch condition {
        case .gt: outcome.0?.registers[register].packetRange = beyondEnd
        case .ge: outcome.0?.registers[register].packetRange = atEnd
        case .lt: outcome.1?.registers[register].packetRange = atEnd
        case .le: outcome.1?.registers[register].packetRange = beyondEnd
        default: break
        }
    }

    /// Pruning: a mark is knowledge a state without the same mark lacks, so marks must match;
    /// otherwise the old state's proven length must not exceed the new one's.
    static func covers(_ old: Int, _ new: Int) -> Bool {
        old < 0 || new < 0 ? old == new : old <= new
    }

    /// The comparison as `packet OP end`, the packet pointer, and its register (nil for an
    /// immediate). Packet metadata pointers are not marked, as in the kernel.
    private static func normalized(_ condition: JumpCondition, _ a: AbstractValue, _ b: AbstractValue,
                                   dst: Int, source: Int?) -> (JumpCondition, AbstractValue, Int?)? {
        if a.kind == .packet, b.kind == .packetEnd { return (condition, a, dst) }
        guard b.kind == .packet, a.kind == .packetEnd else { return nil }
        let flipped: JumpCondition
        switch condition {
        case .gt: flipped = .lt
        case .ge: flipped = .le
        case .lt: flipped = .gt
        case .le: flipped = .ge
        default: return nil
        }
        return (flipped, b, source)
    }
}
