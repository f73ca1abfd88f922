import BPFCore

/// A sign-extending load (BPF_MEMSX) of a context field that gives a pointer: the kernel's
/// `is_valid_access` refuses it for `data`, `data_end` and `data_meta` (`info->is_ldsx`), as a
/// pointer cannot be sign-extended.
enum SignedContextLoads {
    static func check(_ base: AbstractValue, offset: Int, size: Int, at index: Int, setup: PathSetup) throws(VMError) {
        guard base.kind == .context, base.offset == 0, base.range.constant == 0 else { return }
        let field = Int16(clamping: offset)
        guard setup.packetFields[field] != nil || field == setup.metaField else { return }
        throw VMError(instruction: index, "invalid bpf_context access off=\(offset) size=\(size)", errno: .EACCES)
    }
}
