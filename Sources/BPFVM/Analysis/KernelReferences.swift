import BPFCore

/// References to kernel structs held by a program: a kfunc's new one (KF_ACQUIRE | KF_RET_NULL),
/// a BTF pointer the program must compare with NULL and release, typed by the CO-RE target BTF;
/// and the argument an acquiring or releasing kfunc takes.
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

    /// Argument 0 of acquire and release, in the kernel's order (check_kfunc_args): never NULL
    /// (EACCES), a pointer to the struct the kfunc takes, one the program may trust (acquire
    /// takes one read from an RCU field too, `RCUFields`), holding a reference when released,
    /// at the struct's start.
    static func checkArgument(_ value: AbstractValue, expected: String, kfunc: EmbeddedKfunc, releases: Bool,
                              argument: Int = 0, at index: Int) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .scalar:
            try notNull(value, argument: argument, at: index)
            throw VMError(instruction: index, "arg#\(argument) pointer type STRUCT \(expected) must point to scalar, or struct with scalar",
                          errno: .EINVAL)
        case .btf(let pointer):
            try notNull(value, argument: argument, at: index)
            guard pointer.name == expected else {
                throw VMError(instruction: index, "kernel function \(kfunc.name) args#\(argument) expected pointer to STRUCT \(expected) "
                              + "but R\(argument + 1) has a pointer to STRUCT \(pointer.name)", errno: .EINVAL)
            }
            if releases, pointer.untrusted {
                throw VMError(instruction: index, "R\(argument + 1) must be referenced or trusted", errno: .EINVAL)
            }
            // KF_RCU: trusted (the running task, one held) or read from an RCU field.
            if !releases, pointer.untrusted || !(pointer.trusted || pointer.acquired || pointer.rcu) {
                throw VMError(instruction: index, "R\(argument + 1) must be a rcu pointer", errno: .EINVAL)
            }
            if releases, value.reference == 0 {
                throw VMError(instruction: index, "release kernel function \(kfunc.name) expects refcounted PTR_TO_BTF_ID",
                              errno: .EINVAL)
            }
            if value.offset != 0 || value.range.constant != 0 {
                throw VMError(instruction: index, "R\(argument + 1) must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
        default:
            throw VMError(instruction: index, "kernel function \(kfunc.name) args#\(argument) expected pointer to STRUCT \(expected) "
                          + "but R\(argument + 1) has a pointer to \(value.typeName)", errno: .EINVAL)
        }
    }

    private static func notNull(_ value: AbstractValue, argument: Int, at index: Int) throws(VMError) {
        if value.isNullable || value.isScalar && value.range.constant == 0 {
            throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg\(argument)", errno: .EACCES)
        }
    }
}
