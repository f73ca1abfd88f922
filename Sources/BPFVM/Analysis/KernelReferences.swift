import BPFCore

/// A kfunc's new reference to a kernel struct (KF_ACQUIRE | KF_RET_NULL): a BTF pointer the
/// program must compare with NULL and release, typed by the CO-RE target BTF.
enum KernelReferences {
    /// The result of the acquiring call at `index`; `kfunc` names the call in the refusal when
    /// the target BTF lacks the struct (then the kernel has no type for the result either).
    static func acquire(_ structure: String, by kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState,
                        setup: PathSetup) throws(VMError) -> AbstractValue {
        guard let id = setup.kernelTypes()?.structureID(named: structure) else {
            throw VMError(instruction: index, "\(kfunc.name) needs struct \(structure) in the CO-RE target BTF "
                          + "(/sys/kernel/btf/vmlinux, or TCX_CORE_BTF)", errno: .EINVAL)
        }
        state.references.append(index)
        let pointer = BTFPointer(typeID: id, name: structure, acquired: true, nullable: true)
        return AbstractValue(kind: .btf(pointer), id: index + 1, reference: index + 1)
    }
}
