/// Packet pointers that share an id move together: a comparison with the packet's end proves
/// the range of all of them. A kept state covers another only where the ids it shares are
/// shared the same way in the other (the kernel's check_ids in regsafe): one of its ids stands
/// for one id of the other, no two of its ids for the same one, and a pointer without an id
/// (its offset constant) for one without. Otherwise a pointer the kept state's comparison
/// bounded through a copy could be unbounded in the other (verifier/packet_ids.tcx).
enum PacketIDs {
    /// Over the current frame's live registers and live spilled slots.
    static func correspond(_ kept: PathState, _ other: PathState, registers live: UInt16, slots: UInt64) -> Bool {
        var pairs: [(kept: Int, other: Int)] = []
        func match(_ mine: AbstractValue, _ theirs: AbstractValue) -> Bool {
            guard mine.isPacketFamily, theirs.isPacketFamily else { return true }
            if mine.id == 0 || theirs.id == 0 { return mine.id == theirs.id }
            for pair in pairs {
                if pair.kept == mine.id { return pair.other == theirs.id }
                if pair.other == theirs.id { return false }
            }
            pairs.append((mine.id, theirs.id))
            return true
        }
        for r in 0 ..< min(10, kept.registers.count, other.registers.count) where live & (1 << UInt16(r)) != 0 {
            guard match(kept.registers[r], other.registers[r]) else { return false }
        }
        let frame = kept.stacks.count - 1
        guard frame >= 0, frame < other.stacks.count else { return true }
        var remaining = slots
        while remaining != 0 {
            let s = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            guard s < kept.stacks[frame].count, s < other.stacks[frame].count,
                  case .spill(let mine, _) = kept.stacks[frame][s], case .spill(let theirs, _) = other.stacks[frame][s] else { continue }
            guard match(mine, theirs) else { return false }
        }
        return true
    }
}
