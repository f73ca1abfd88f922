import BPFCore

/// Refuses a load, store or atomic through a register that holds a plain number on every path
/// (`PointerStates`), as the kernel does ("R%d invalid mem access 'scalar'", EACCES): a number is
/// no pointer, whatever its value. Only for program types whose context is known, where the
/// analysis can tell the context's number fields from its pointer fields.
enum ScalarAccessCheck {
    static func check(_ op: Operation, at index: Int, _ state: PointerStates.State) throws(VMError) {
        guard let base = op.memoryAccessBase, state.isScalar(base) else { return }
        throw VMError(instruction: index, "R\(base) invalid mem access 'scalar'", errno: .EACCES)
    }
}
