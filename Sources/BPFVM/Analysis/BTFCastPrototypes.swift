import BPFCore

/// `bpf_cast_to_kern_ctx` and `bpf_rdonly_cast` on one path, typed as the kernel's
/// check_special_kfunc types them: the context as a trusted `struct sk_buff` pointer, any value
/// as an untrusted read-only pointer to the struct a constant BTF id names (or to untyped
/// memory for id 0).
enum BTFCastPrototypes {
    /// The struct a tc program's context is in the kernel.
    static let contextStructure = "sk_buff"

    /// Handles `kfunc` when it is one of the casts; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState,
                     types: @Sendable () -> (any KernelTypeCatalog)?) throws(VMError) -> Bool {
        let r = state.registers
        let result: AbstractValue
        switch kfunc {
        case .castToKernelContext:
            if r[1].kind != .context, r[1].kind != .unknown {
                throw VMError(instruction: index, "arg#0 expected pointer to ctx, but got \(r[1].typeName)", errno: .EINVAL)
            }
            guard let catalog = types(), let id = catalog.structureID(named: contextStructure) else {
                throw VMError(instruction: index, "bpf_cast_to_kern_ctx needs struct \(contextStructure) in the CO-RE target BTF "
                              + "(/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)", errno: .EINVAL)
            }
            result = AbstractValue(kind: .btf(BTFPointer(typeID: id, name: contextStructure, trusted: true)))
        case .rdonlyCast:
            guard r[2].isScalar, let constant = r[2].range.constant else {
                throw VMError(instruction: index, "R2 must be a known constant", errno: .EINVAL)
            }
            if constant == 0 {
                result = AbstractValue(kind: .btf(.untyped))
            } else {
                guard let catalog = types(), let id = UInt32(exactly: constant), let type = catalog.type(id) else {
                    throw VMError(instruction: index, "Unknown type ID \(Int64(bitPattern: constant)) passed to kfunc bpf_rdonly_cast",
                                  errno: .EINVAL)
                }
                switch type {
                case .structure(let structure):
                    result = AbstractValue(kind: .btf(BTFPointer(typeID: id, name: structure.name, untrusted: true)))
                case .void:
                    result = AbstractValue(kind: .btf(.untyped))
                default:
                    throw VMError(instruction: index, "kfunc bpf_rdonly_cast type ID argument must be of a struct or void",
                                  errno: .EINVAL)
                }
            }
        default:
            return false
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }
}
