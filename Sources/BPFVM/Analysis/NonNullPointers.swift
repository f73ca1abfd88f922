/// Which pointers the kernel takes as never NULL when a branch compares them with zero
/// (`reg_not_null`): map values, sockets, memory and maps (inner ones too), with an offset that cannot wrap
/// the address to zero. The context, stack and packet pointers are not among them: a
/// comparison of those with zero is followed both ways, as the kernel follows it.
extension AbstractValue {
    var kernelKnowsNonNull: Bool {
        guard !isNullable else { return false }
        guard range.smin > -Int64(PathMemory.maxVariableOffset), range.smax < Int64(PathMemory.maxVariableOffset) else {
            return false
        }
        switch kind {
        case .mapValue, .socket, .memory, .map, .innerMap: return true
        // A trusted kernel object (one holding a reference is: is_trusted_reg), and the void
        // cast's memory (PTR_TO_MEM), are never NULL.
        case .btf(let pointer): return pointer.trusted || pointer.acquired || reference != 0 || pointer.typeID == 0
        default: return false
        }
    }
}
