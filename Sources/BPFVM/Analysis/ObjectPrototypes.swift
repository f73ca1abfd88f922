import BPFCore

/// `bpf_obj_new_impl`, `bpf_obj_drop_impl` and `bpf_kptr_xchg` on one path, as Linux 6.18
/// checks them (measured in Tests/Fixtures/corpus/objects): the type to allocate is a
/// constant naming a struct of the program's own BTF, no larger than the kernel's allocator
/// gives; the result is that struct's memory, zeroed, NULL until compared, holding a reference
/// the path must drop or stash; the drop takes such a reference back at its start; an exchange
/// moves one into a map value's kptr field of its type and hands back the one that was there.
///
/// An object is followed as sized memory holding a reference (the kernel's PTR_TO_BTF_ID |
/// MEM_ALLOC): loads and stores are bounded to the struct, not walked member by member. Its
/// type is that of the call that made it (`ObjectSites`).
enum ObjectPrototypes {
    /// bpf_kptr_xchg.
    static let exchangeHelper: Int32 = 194

    /// Handles `kfunc` when it is an object one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        var result: AbstractValue
        switch kfunc {
        case .objectNew:
            result = try allocate(typeArgument: r[1], at: index, &state, setup: setup)
        case .objectDrop:
            try checkOwned(r[1], at: index, setup: setup)
            try checkOneRecord(dropping: r[1], at: index, setup: setup)
            PathHelpers.release(r[1], &state)
            result = .notInit
        case .refcountAcquire:
            result = try acquire(r[1], at: index, &state, setup: setup)
        default:
            return false
        }
        finish(result, &state)
        return true
    }

    /// bpf_kptr_xchg(field, object): `object` (or NULL) goes into the kptr field, and what the
    /// field held comes back as an object the path owns, NULL until compared.
    static func exchange(at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) {
        let r = state.registers
        guard let field = try exchangedField(r[1], at: index, setup: setup) else {
            // A field the analysis does not follow: nothing it gives is refused.
            finish(.unknown, &state)
            return
        }
        let object = r[2]
        switch object.kind {
        case .unknown, .notInit:
            break
        case .scalar where object.range.constant == 0:
            break
        case .memory(_, let nullable) where object.reference != 0 && setup.objectSites.type(at: object.reference - 1) != nil:
            if nullable {
                // Measured: Linux 6.18's verifier trips over a maybe-NULL object here (EFAULT).
                throw VMError(instruction: index, "verifier bug: invalid PTR_TO_BTF_ID register for type match", errno: .EFAULT)
            }
            let type = setup.objectSites.type(at: object.reference - 1)
            if field.kind == .percpu {
                // Only a per-CPU object (bpf_percpu_obj_new: the `.perCPU` case below) goes there.
                throw VMError(instruction: index, "invalid kptr access, R2 type=ptr_ expected=ptr_\(field.targetName)", errno: .EACCES)
            }
            if type != field.targetTypeID {
                let name = type.flatMap { setup.pathOptions.localObjectTypes[$0]?.name } ?? "?"
                throw VMError(instruction: index, "invalid kptr access, R2 type=ptr_\(name) expected=ptr_\(field.targetName)",
                              errno: .EACCES)
            }
            if object.offset != 0 || object.range.constant != 0 {
                throw VMError(instruction: index, "R2 must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
            PathHelpers.release(object, &state)
        case .perCPU(let perCPU) where object.reference != 0 && !perCPU.rcu:
            try checkPerCPU(object, perCPU, into: field, at: index, setup: setup)
            PerCPUObjectPrototypes.handedOn(object, &state)
        case .btf(let pointer) where pointer.acquired && object.reference != 0:
            // A kernel object the program holds a reference to goes into a field of its struct,
            // once compared with NULL: a release must know what it releases (check_reg_type).
            if pointer.nullable {
                throw VMError(instruction: index, "Possibly NULL pointer passed to helper arg2", errno: .EACCES)
            }
            try KernelKptrFields.checkStored(object, pointer, into: field, at: index, setup: setup)
            PathHelpers.release(object, &state)
        case .btf(let pointer) where pointer.typeID != 0 && !pointer.acquired && object.reference == 0:
            // A kernel object the program holds no reference to, as a kptr field loads one:
            // measured on Linux 6.18 (map_kptr_fail's reject_untrusted_xchg, EINVAL).
            throw VMError(instruction: index, "R2 must be referenced when passed to release function", errno: .EINVAL)
        default:
            throw VMError(instruction: index, "R2 type=\(object.typeName) expected=ptr_, scalar (NULL)", errno: .EACCES)
        }
        if let taken = PerCPUObjectPrototypes.exchanged(field, at: index, &state, setup: setup) {
            finish(taken, &state)
            return
        }
        if let taken = KernelKptrFields.exchanged(field, at: index, &state, setup: setup) {
            finish(taken, &state)
            return
        }
        guard let size = setup.pathOptions.localObjectTypes[field.targetTypeID]?.size else {
            finish(.unknown, &state)
            return
        }
        setup.objectSites.note(field.targetTypeID, at: index)
        state.references.append(index)
        finish(AbstractValue(kind: .memory(size: size, nullable: true), id: index + 1, reference: index + 1), &state)
    }

    /// A per-CPU object goes only into a `__percpu_kptr` field of its type, compared with NULL, at
    /// its start.
    private static func checkPerCPU(_ value: AbstractValue, _ object: PerCPUObject, into field: KptrField, at index: Int,
                                    setup: PathSetup) throws(VMError) {
        if object.nullable {
            throw VMError(instruction: index, "verifier bug: invalid PTR_TO_BTF_ID register for type match", errno: .EFAULT)
        }
        if field.kind != .percpu || object.typeID != field.targetTypeID {
            let name = setup.pathOptions.localObjectTypes[object.typeID]?.name ?? "?"
            throw VMError(instruction: index, "invalid kptr access, R2 type=percpu_ptr_\(name) expected=ptr_\(field.targetName)",
                          errno: .EACCES)
        }
        if value.offset != 0 || value.range.constant != 0 {
            throw VMError(instruction: index, "R2 must have zero offset when passed to release func or trusted arg to kfunc",
                          errno: .EINVAL)
        }
    }

    /// The kptr field bpf_kptr_xchg's first argument points at: in a map value, or in an object
    /// the path owns (its type is its call's).
    private static func exchangedField(_ value: AbstractValue, at index: Int, setup: PathSetup) throws(VMError) -> KptrField? {
        if case .memory = value.kind, value.reference != 0, let typeID = setup.objectSites.type(at: value.reference - 1) {
            return try KptrFieldAccess.exchangedObjectField(value, type: setup.pathOptions.localObjectTypes[typeID], at: index)
        }
        return try KptrFieldAccess.exchangedField(value, at: index)
    }

    private static func finish(_ result: AbstractValue, _ state: inout PathState) {
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
    }

    /// A new object of the struct `typeArgument` names: NULL until compared (KF_ACQUIRE |
    /// KF_RET_NULL).
    private static func allocate(typeArgument: AbstractValue, at index: Int, _ state: inout PathState,
                                 setup: PathSetup) throws(VMError) -> AbstractValue {
        guard let (typeID, type) = try LocalTypeArgument.type(of: typeArgument, kfunc: "bpf_obj_new", at: index, setup: setup) else {
            return .unknown
        }
        guard type.size <= ObjectLimits.largestObject else {
            throw VMError(instruction: index, "bpf_obj_new of struct \(type.name) (\(type.size) bytes): the allocator's largest "
                          + "object is \(ObjectLimits.largestObject) bytes", errno: .EINVAL)
        }
        setup.objectSites.note(typeID, at: index)
        state.references.append(index)
        return AbstractValue(kind: .memory(size: type.size, nullable: true), id: index + 1, reference: index + 1)
    }

    /// bpf_refcount_acquire(object): another owning reference to an object of a refcounted type
    /// the path owns or peeked at (NULL until compared: the object may be on its way out).
    private static func acquire(_ value: AbstractValue, at index: Int, _ state: inout PathState,
                                setup: PathSetup) throws(VMError) -> AbstractValue {
        switch value.kind {
        case .unknown, .notInit:
            return .unknown
        case .memory(_, let nullable):
            // Owned: its reference names its call; peeked (non-owning): its id does.
            let site = value.reference != 0 ? value.reference - 1 : value.id - 1
            guard value.reference != 0 || setup.objectSites.isNonOwning(at: site) || setup.objectSites.isRCU(at: site),
                  let typeID = setup.objectSites.type(at: site),
                  let type = setup.pathOptions.localObjectTypes[typeID] else { break }
            if nullable { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES) }
            try requireRefcounted(type, at: index)
            if value.offset != 0 || value.range.constant != 0 {
                throw VMError(instruction: index, "R1 must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
            setup.objectSites.note(typeID, at: index)
            state.references.append(index)
            // A reference to an object the path owns cannot fail (the kernel clears MAYBE_NULL for
            // an owning argument: the selftests' refcounted_kptr writes through it unchecked); one
            // to a non-owning object may find it freed, NULL until compared.
            return AbstractValue(kind: .memory(size: type.size, nullable: value.reference == 0), id: index + 1, reference: index + 1)
        case .btf(let pointer):
            // A kptr field's pointer that is no allocated object: a referenced field of a
            // refcounted type loads as an RCU-protected object (KptrFieldAccess.loaded, the
            // `.memory` case above), so what reaches here is a plain struct's field (EFAULT, as an
            // owned plain object) or an untrusted or per-CPU field (EINVAL), measured on Linux 6.18.
            guard let type = fieldTarget(pointer, setup: setup) else { break }
            if pointer.nullable { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES) }
            try requireRefcounted(type, at: index)
            throw VMError(instruction: index, "arg#0 is neither owning or non-owning ref", errno: .EINVAL)
        default:
            break
        }
        throw VMError(instruction: index, "arg#0 expected pointer to allocated object, but R1 is \(value.typeName)", errno: .EINVAL)
    }

    /// bpf_refcount_acquire's object must have a `struct bpf_refcount`.
    private static func requireRefcounted(_ type: LocalObjectType, at index: Int) throws(VMError) {
        guard !type.refcounted else { return }
        // Measured: a type with no special field at all trips the kernel (EFAULT).
        if !type.specialFields {
            throw VMError(instruction: index, "verifier bug: Couldn't find btf_record", errno: .EFAULT)
        }
        throw VMError(instruction: index, "arg#0 doesn't point to a type with bpf_refcount field", errno: .EINVAL)
    }

    /// The program type a pointer loaded from a kptr field points to (such a load names the
    /// field's target and has no kernel type id: KptrFieldAccess.loaded); a refcounted one first,
    /// should two structs share the name.
    private static func fieldTarget(_ pointer: BTFPointer, setup: PathSetup) -> LocalObjectType? {
        guard pointer.typeID == 0, !pointer.name.isEmpty else { return nil }
        let named = setup.pathOptions.localObjectTypes.values.filter { $0.name == pointer.name }
        return named.first { $0.refcounted } ?? named.first
    }

    /// The kernel notes, on each bpf_obj_drop call instruction, the record of special members
    /// of the type it frees (btf_struct_meta: none for a plain struct); one call reached with
    /// objects of two types whose records differ is EINVAL, as when the compiler merges the
    /// drops of a plain struct and a struct with a `__kptr` member (measured on Linux 6.18).
    private static func checkOneRecord(dropping value: AbstractValue, at index: Int, setup: PathSetup) throws(VMError) {
        guard value.reference != 0, let typeID = setup.objectSites.type(at: value.reference - 1),
              let type = setup.pathOptions.localObjectTypes[typeID] else { return }
        let record: UInt32? = type.specialFields ? typeID : nil
        guard let earlier = setup.objectSites.noteDropRecord(record, at: index), earlier != record else { return }
        let other = earlier.flatMap { setup.pathOptions.localObjectTypes[$0]?.name }.map { "struct " + $0 } ?? "a plain struct"
        throw VMError(instruction: index, "bpf_obj_drop drops struct \(type.name) here and, on another path, \(other): the "
                      + "kernel keeps one record of special members per call; use one call for each type: inline the static "
                      + "function that holds the call, or mark the callee with __attribute__((nomerge))", errno: .EINVAL)
    }

    /// bpf_obj_drop's argument: an object this path allocated or took from a kptr field (a
    /// reference it holds: not a ring buffer record), compared with NULL, at its start.
    private static func checkOwned(_ value: AbstractValue, at index: Int, setup: PathSetup) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .memory(_, let nullable) where value.reference != 0 && setup.objectSites.type(at: value.reference - 1) != nil:
            if nullable {
                throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES)
            }
            if value.offset != 0 || value.range.constant != 0 {
                throw VMError(instruction: index, "R1 must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
        default:
            throw VMError(instruction: index, "arg#0 expected pointer to allocated object, but R1 is \(value.typeName)",
                          errno: .EINVAL)
        }
    }
}

/// The type of the objects each call makes (`bpf_obj_new` and `bpf_kptr_xchg`, by instruction),
/// noted as paths reach them: an object's reference names its call, so its type is found
/// there when it is stashed.
final class ObjectSites {
    private var types: [Int: UInt32] = [:]
    /// The calls that give non-owning references (the list peeks), valid until the unlock.
    private var nonOwning: Set<Int> = []

    /// The record (the type, or nil for a plain struct) each bpf_obj_drop call frees.
    private var dropRecords: [Int: UInt32?] = [:]

    func note(_ type: UInt32, at index: Int) { types[index] = type }

    /// Notes that the drop at `index` frees objects with `record`; answers the record noted
    /// there first (`.some(nil)`: a plain struct), nil when this is the first.
    func noteDropRecord(_ record: UInt32?, at index: Int) -> UInt32?? {
        if let earlier = dropRecords[index] { return earlier }
        dropRecords[index] = record
        return nil
    }

    func type(at index: Int) -> UInt32? { types[index] }

    func noteNonOwning(at index: Int) { nonOwning.insert(index) }

    func isNonOwning(at index: Int) -> Bool { nonOwning.contains(index) }

    var hasNonOwning: Bool { !nonOwning.isEmpty }

    /// The loads of referenced kptr fields that give RCU-protected objects (MEM_ALLOC | MEM_RCU):
    /// valid for the whole run, not just under a lock.
    private var rcu: Set<Int> = []

    func noteRCU(at index: Int) { rcu.insert(index) }

    func isRCU(at index: Int) -> Bool { rcu.contains(index) }
}
