/// An iterator loop that converged, as Linux 6.18 ends it (is_state_visited at an iterator's
/// next call): a state there that an earlier iteration's state on its own path covers, every
/// number compared, adds nothing. Only the earlier state's precision marks, as they are now,
/// are propagated along the path (the kernel's propagate_precision): a number no check has
/// depended on yet stays imprecise, and the next iteration widens it as the kernel does.
/// Before, every number was marked here, so such a number was kept exact where the kernel
/// widens it (verifier/nested_iterator_offsets.c).
///
/// The marks the earlier state gains later, from its ways still to explore, the kernel hands
/// on to the path when the loop is done (propagate_backedges) and, until then, compares the
/// loop's states by range. Here they are never handed on: every state kept on the path waits
/// for marks it may not get (`Trail.marksPending`) and covers another only with every number
/// matching; a path it covers gets its present marks and waits likewise. Pruning never rests
/// on marks that may be missing.
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

    /// Ends the path `earlier` covers: `earlier`'s present marks are propagated along it, and
    /// its states wait for the rest.
    func endConverged(_ branch: Branch, coveredBy earlier: Trail) {
        propagatePresentMarks(of: earlier, to: branch)
        Self.markPending(from: branch.trail)
    }

    /// A path `seen` covers ends: the marks `seen` has now go back along it, its own frame's and
    /// its callers' (the kernel's propagate_precision).
    func propagatePresentMarks(of seen: Trail, to branch: Branch) {
        propagatePrecision(seen.preciseRegisters & facts.registers(at: branch.index).relevant,
                           slots: seen.preciseSlotMarks, callers: seen.presentCallerMarks, to: branch)
    }

    /// Every state kept on the path from `node` back to the program's start waits for marks.
    /// A state that already does has ancestors that do.
    static func markPending(from node: Trail?) {
        var node = node
        while let current = node, !current.marksPending {
            current.marksPending = true
            node = current.parent
        }
    }
}
