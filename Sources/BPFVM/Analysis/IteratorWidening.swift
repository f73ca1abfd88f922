/// Widening at an open-coded loop's iterator (see `PathExplorer.widenAtIterator`).
extension PathState {
    /// Registers outside `keeping` whose number differs from the one `earlier` holds become
    /// unknown numbers; everything else is kept.
    mutating func widenScalars(differingFrom earlier: PathState, keeping: UInt16) {
        for r in 0 ..< min(registers.count, earlier.registers.count) where keeping & (1 << UInt16(r)) == 0 {
            let mine = registers[r], theirs = earlier.registers[r]
            if mine.isScalar, theirs.isScalar, mine.range != theirs.range { registers[r] = .scalar(.unknown) }
        }
    }

    /// Numbers spilled whole to `frame`'s stack, outside the slots of `keeping`, that differ from
    /// the number `earlier` holds there become unknown numbers (widen_imprecise_scalars compares
    /// spilled registers only: zero bytes and other slots stay).
    mutating func widenSpilledScalars(differingFrom earlier: PathState, inFrame frame: Int, keeping: UInt64) {
        guard frame < stacks.count, frame < earlier.stacks.count else { return }
        for s in 0 ..< min(stacks[frame].count, earlier.stacks[frame].count, 64) where keeping & (1 << UInt64(s)) == 0 {
            guard case let .spill(mine, size) = stacks[frame][s], mine.isScalar,
                  case let .spill(theirs, _) = earlier.stacks[frame][s], theirs.isScalar,
                  mine.range != theirs.range else { continue }
            stacks[frame][s] = .spill(.scalar(.unknown), size: size)
        }
    }

    /// Every number, in a register or spilled to the stack, whose value none of the `seen`
    /// states had in the same place becomes unknown; a value that recurs is kept, and so is a
    /// known constant in a register of `exact`: a counter the kernel's comparisons decide, and
    /// so mark precise, is followed through every value as the kernel follows it.
    mutating func widenNewScalars(seen: [PathState], exact: UInt16 = 0) {
        for r in 0 ..< registers.count {
            let mine = registers[r]
            guard mine.isScalar, mine.range != ScalarRange.unknown else { continue }
            if exact & (1 << UInt16(r)) != 0, mine.range.constant != nil { continue }
            let recurs = seen.contains { r < $0.registers.count && $0.registers[r].isScalar && $0.registers[r].range == mine.range }
            if !recurs { registers[r] = .scalar(.unknown) }
        }
        for f in 0 ..< stacks.count {
            for s in 0 ..< stacks[f].count {
                let mine = stacks[f][s]
                let numeric: Bool
                switch mine {
                case .spill(let value, _): numeric = value.isScalar
                case .zeroBytes: numeric = true
                default: numeric = false
                }
                guard numeric, !seen.contains(where: { f < $0.stacks.count && $0.stacks[f][s] == mine }) else { continue }
                if case .spill(_, let size) = mine {
                    stacks[f][s] = .spill(.scalar(.unknown), size: size)
                } else {
                    stacks[f][s] = .misc
                }
            }
        }
    }
}
