import BPFCore

/// Referenced kptr fields of kernel structs (`struct task_struct __kptr *`): the kernel looks a
/// kptr's struct up by name in its own BTF first (btf_parse_kptr), so a struct a program also
/// declares (a copy, or vmlinux.h) is the kernel's. `bpf_kptr_xchg` takes in a reference to
/// that struct and hands back the one the field held: a pointer the program must compare with
/// NULL and release (corpus/kfunc/task_stash.c, test_releases.c).
enum KernelKptrFields {
    /// The kernel struct's id when `field` (referenced or untrusted) points to one; nil otherwise.
    static func kernelStructure(of field: KptrField, setup: PathSetup) -> UInt32? {
        guard field.kind != .percpu else { return nil }
        return setup.kernelTypes()?.structureID(named: field.targetName)
    }

    /// What bpf_kptr_xchg at `index` gives back from a referenced `field`: a new reference, NULL
    /// until compared; nil when the field is not a kernel struct's.
    static func exchanged(_ field: KptrField, at index: Int, _ state: inout PathState, setup: PathSetup) -> AbstractValue? {
        guard field.kind == .referenced, let id = kernelStructure(of: field, setup: setup) else { return nil }
        state.references.append(index)
        let pointer = BTFPointer(typeID: id, name: field.targetName, acquired: true, nullable: true)
        return AbstractValue(kind: .btf(pointer), id: index + 1, reference: index + 1)
    }

    /// A held kernel object stored through bpf_kptr_xchg: the field's own struct, at its start.
    static func checkStored(_ value: AbstractValue, _ pointer: BTFPointer, into field: KptrField, at index: Int,
                            setup: PathSetup) throws(VMError) {
        guard field.kind == .referenced, kernelStructure(of: field, setup: setup) != nil, pointer.name == field.targetName else {
            throw VMError(instruction: index, "invalid kptr access, R2 type=ptr_\(pointer.name) expected=ptr_\(field.targetName)",
                          errno: .EACCES)
        }
        if value.offset != 0 || value.range.constant != 0 {
            throw VMError(instruction: index, "R2 must have zero offset when passed to release func or trusted arg to kfunc",
                          errno: .EINVAL)
        }
    }
}
