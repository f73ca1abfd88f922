/// Widening at an open-coded loop's iterator (see `PathExplorer.widenAtIterator`).
extension PathState {
    /// Every number, in a register or spilled to the stack, that differs from the one `earlier`
    /// holds in the same place becomes unknown; everything else is kept.
    mutating func widenScalars(differingFrom earlier: PathState) {
        for r in 0 ..< min(registers.count, earlier.registers.count) {
            let mine = registers[r], theirs = earlier.registers[r]
            if mine.isScalar, theirs.isScalar, mine.range != theirs.range { registers[r] = .scalar(.unknown) }
        }
        for f in 0 ..< min(stacks.count, earlier.stacks.count) {
            for s in 0 ..< min(stacks[f].count, earlier.stacks[f].count) where stacks[f][s] != earlier.stacks[f][s] {
                switch (stacks[f][s], earlier.stacks[f][s]) {
                case let (.spill(mine, size), .spill(theirs, _)) where mine.isScalar && theirs.isScalar:
                    stacks[f][s] = .spill(.scalar(.unknown), size: size)
                case (.zeroBytes, .zeroBytes), (.zeroBytes, .misc):
                    stacks[f][s] = .misc
                case let (.spill(mine, _), .zeroBytes) where mine.isScalar:
                    stacks[f][s] = .misc
                case let (.zeroBytes, .spill(theirs, _)) where theirs.isScalar:
                    stacks[f][s] = .misc
                default:
                    break
                }
            }
        }
    }
}
