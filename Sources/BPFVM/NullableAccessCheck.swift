import BPFCore

/// Refuses a load, store or atomic through the result of `bpf_map_lookup_elem` before any
/// comparison of it, on every path (`PointerStates`), as the kernel does ("R0 invalid mem
/// access 'map_value_or_null'", EACCES): the lookup may return NULL.
enum NullableAccessCheck {
    static func check(_ op: Operation, at index: Int, _ state: PointerStates.State) throws(VMError) {
        guard let base = op.memoryAccessBase, state.isUncheckedLookup(base) else { return }
        throw VMError(instruction: index, "R\(base) invalid mem access 'map_value_or_null'", errno: .EACCES)
    }
}
