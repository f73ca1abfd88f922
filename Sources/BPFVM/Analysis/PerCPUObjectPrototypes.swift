import BPFCore

/// A per-CPU object as the verifier follows it (the kernel's PTR_TO_BTF_ID | MEM_PERCPU): a
/// struct of the program's own BTF with one copy per possible CPU. The pointer itself reaches
/// no copy (loads and stores through it are EACCES); `bpf_per_cpu_ptr(p, cpu)` and
/// `bpf_this_cpu_ptr(p)` give one.
struct PerCPUObject: Hashable {
    /// The struct's id in the program's BTF, and its size.
    var typeID: UInt32
    var size: Int
    var nullable: Bool
    /// Loaded from a `__percpu_kptr` field, or handed on by an exchange (MEM_RCU): valid for the
    /// run, as a tc program runs in an RCU read section, but owned by no path.
    var rcu = false

    /// The kernel's name for the register type (the struct is not named).
    var typeName: String { (rcu ? "percpu_rcu_ptr_" : "percpu_ptr_") + (nullable ? "or_null_" : "") }
}

/// `bpf_percpu_obj_new_impl` and `bpf_percpu_obj_drop_impl`, the per-CPU pointer helpers
/// (153, 154) and `bpf_kptr_xchg` of a per-CPU object, as Linux 6.18 checks them (measured in
/// Tests/Fixtures/corpus/objects/percpu_objects.tcx).
enum PerCPUObjectPrototypes {
    static let perCPUPointer: Int32 = 153, thisCPUPointer: Int32 = 154

    /// Handles `kfunc` when it is a per-CPU object one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        var result: AbstractValue = .notInit
        switch kfunc {
        case .percpuObjectNew:
            result = try allocate(typeArgument: r[1], at: index, &state, setup: setup)
        case .percpuObjectDrop:
            try checkOwned(r[1], at: index)
            PathHelpers.release(r[1], &state)
        case .objectDrop:
            // bpf_obj_drop of a per-CPU object: the kernel names the drop it should have been.
            guard case .perCPU(let object) = r[1].kind, !object.nullable, !object.rcu else { return false }
            throw VMError(instruction: index, "arg#0 expected for bpf_percpu_obj_drop_impl()", errno: .EINVAL)
        default:
            return false
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }

    /// A new per-CPU object of the struct `typeArgument` names: NULL until compared.
    private static func allocate(typeArgument: AbstractValue, at index: Int, _ state: inout PathState,
                                 setup: PathSetup) throws(VMError) -> AbstractValue {
        guard let (typeID, type) = try LocalTypeArgument.type(of: typeArgument, kfunc: "bpf_percpu_obj_new", at: index,
                                                               setup: setup) else {
            return .unknown
        }
        // In the kernel's order: the size, then special members, then anything not a number.
        guard type.size <= ObjectLimits.largestPerCPUObject else {
            throw VMError(instruction: index, "bpf_percpu_obj_new type size (\(type.size)) is greater than "
                          + "\(ObjectLimits.largestPerCPUObject)", errno: .EINVAL)
        }
        if type.specialFields {
            throw VMError(instruction: index, "bpf_percpu_obj_new type ID argument must not contain special fields", errno: .EINVAL)
        }
        guard type.scalarsOnly else {
            throw VMError(instruction: index, "bpf_percpu_obj_new type ID argument must be of a struct of scalars", errno: .EINVAL)
        }
        state.references.append(index)
        let object = PerCPUObject(typeID: typeID, size: type.size, nullable: true)
        return AbstractValue(kind: .perCPU(object), id: index + 1, reference: index + 1)
    }

    /// bpf_percpu_obj_drop's argument: a per-CPU object the path owns, compared with NULL, at
    /// its start.
    private static func checkOwned(_ value: AbstractValue, at index: Int) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .perCPU(let object) where !object.rcu && value.reference != 0:
            if object.nullable {
                throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES)
            }
            if value.offset != 0 || value.range.constant != 0 {
                throw VMError(instruction: index, "R1 must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
        case .memory where value.reference != 0:
            throw VMError(instruction: index, "arg#0 expected for bpf_obj_drop_impl()", errno: .EINVAL)
        case .perCPU:
            // One in a field, or stashed by this path: RCU, not the path's to drop.
            throw VMError(instruction: index, "R1 must be referenced or trusted", errno: .EINVAL)
        default:
            throw VMError(instruction: index, "arg#0 expected pointer to allocated object, but R1 is \(value.typeName)",
                          errno: .EINVAL)
        }
    }

    /// bpf_per_cpu_ptr(p, cpu) / bpf_this_cpu_ptr(p) of a per-CPU object (the helpers' argument
    /// types were checked): one CPU's copy, writable memory of the struct's size, which the
    /// kernel's verifier does not make NULL-able even for bpf_per_cpu_ptr (measured: its CPU may
    /// still be past the last at run time). Only an object in a field is reached so: a pointer the
    /// path owns (a new object, an exchange's answer) is refused, though its type reads the same.
    /// Nil for anything else.
    static func copy(_ id: Int32, of value: AbstractValue, at index: Int) throws(VMError) -> AbstractValue? {
        guard case .perCPU(let object) = value.kind else { return nil }
        if value.reference != 0 {
            throw VMError(instruction: index, "R1 type=\(object.typeName) expected=percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_",
                          errno: .EACCES)
        }
        return AbstractValue(kind: .memory(size: object.size, nullable: false), id: index + 1)
    }

    /// A per-CPU object the exchange took from the path: in an RCU read section (a tc program's
    /// always is) the kernel leaves the path's copies of the pointer usable as RCU pointers
    /// rather than invalid, so `bpf_this_cpu_ptr` still reaches the stashed object.
    static func handedOn(_ value: AbstractValue, _ state: inout PathState) {
        let released = value.reference
        guard released != 0 else { return }
        state.dropReference(released)
        state.updateAll { other in
            guard other.reference == released else { return }
            if case .perCPU(var object) = other.kind {
                object.rcu = true
                other.kind = .perCPU(object)
                other.reference = 0
            } else {
                other = .scalar(.unknown)
            }
        }
    }

    /// What a load of a `__percpu_kptr` field gives: the object it holds, an RCU pointer that
    /// may be NULL.
    static func loaded(_ field: KptrField, at index: Int, setup: PathSetup) -> AbstractValue? {
        guard field.kind == .percpu, let type = setup.pathOptions.localObjectTypes[field.targetTypeID] else { return nil }
        let object = PerCPUObject(typeID: field.targetTypeID, size: type.size, nullable: true, rcu: true)
        return AbstractValue(kind: .perCPU(object), id: index + 1)
    }

    /// The object bpf_kptr_xchg takes out of a `__percpu_kptr` field, owned by the path.
    static func exchanged(_ field: KptrField, at index: Int, _ state: inout PathState, setup: PathSetup) -> AbstractValue? {
        guard field.kind == .percpu, let type = setup.pathOptions.localObjectTypes[field.targetTypeID] else { return nil }
        state.references.append(index)
        let object = PerCPUObject(typeID: field.targetTypeID, size: type.size, nullable: true)
        return AbstractValue(kind: .perCPU(object), id: index + 1, reference: index + 1)
    }
}
