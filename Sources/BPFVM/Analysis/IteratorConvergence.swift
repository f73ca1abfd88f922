/// An iterator loop that converged, as Linux 6.18 ends it (is_state_visited at an iterator's
/// next call): a state there that an earlier iteration's state on its own path covers, every
/// number compared, adds nothing. Only the earlier state's precision marks, as they are now,
/// hold on this path (the kernel's propagate_precision): a number no check has depended on yet
/// stays imprecise, and the next iteration widens it as the kernel does (before, every number
/// was marked, so such a number was kept exact where the kernel widens it: verifier/
/// nested_iterator_offsets.c). The marks the earlier state gains later, from its ways still to
/// explore, the kernel hands on when the loop is done (propagate_backedges) and, until then,
/// compares the loop's states by range; here they never reach the states this path kept
/// after the earlier one, so those cover another state only with every number matching
/// (`Trail.marksPending`): pruning never rests on marks that may be missing.
extension PathExplorer {
    /// The state of an earlier iteration, on this path at the same next call, that covers this
    /// one with every number compared; nil while the loop has not converged.
    func convergedIteration(_ branch: Branch) -> Trail? {
        var ancestor = branch.trail
        var steps = 0
        while let node = ancestor, steps < 4096 {
            if node.index == branch.index, node.state.covers(branch.state, facts: facts, at: branch.index) {
                return node
            }
            ancestor = node.parent
            steps += 1
        }
        return nil
    }

    /// Ends the path `earlier` covers: the states it kept since then wait for marks they will
    /// not get; `earlier`'s present marks are propagated along it.
    func endConverged(_ branch: Branch, coveredBy earlier: Trail) {
        var node = branch.trail
        while let current = node, current !== earlier {
            current.marksPending = true
            node = current.parent
        }
        propagatePrecision(earlier.preciseRegisters & facts.registers(at: branch.index).relevant,
                           slots: earlier.preciseSlotMarks, to: branch)
    }
}
