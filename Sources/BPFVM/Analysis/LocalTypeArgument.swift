import BPFCore

/// The type argument of bpf_obj_new and bpf_percpu_obj_new (local_type_id__k): the verifier
/// needs the id while it verifies, to know the type the call allocates.
enum LocalTypeArgument {
    /// The local struct `value` names, with its id; nil when the analysis does not follow the
    /// register (the run's size table still bounds the object). Refusals are the kernel's.
    static func type(of value: AbstractValue, kfunc: String, at index: Int,
                     setup: PathSetup) throws(VMError) -> (id: UInt32, type: LocalObjectType)? {
        switch value.kind {
        case .unknown, .notInit:
            return nil
        case .scalar:
            break
        default:
            throw VMError(instruction: index, "arg#0 expected a scalar type id, but R1 is \(value.typeName)", errno: .EINVAL)
        }
        guard let id = value.range.constant else {
            throw VMError(instruction: index, "R1 must be a known constant", errno: .EINVAL)
        }
        guard let typeID = UInt32(exactly: id), let type = setup.pathOptions.localObjectTypes[typeID] else {
            throw VMError(instruction: index, "\(kfunc) type ID argument must be of a struct", errno: .EINVAL)
        }
        return (typeID, type)
    }
}
