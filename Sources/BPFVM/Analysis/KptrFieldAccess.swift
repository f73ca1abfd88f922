import BPFCore

/// Loads, stores and helper accesses that touch a map value's kptr field, checked as Linux
/// 6.18 checks them (Tests/Fixtures/corpus/objects/stash.c): only a whole, aligned 8-byte load
/// at a constant offset, which gives an untrusted pointer that may be NULL (the object may be
/// exchanged away meanwhile: its loads are probe loads); no store, no helper access; programs
/// change the field with `bpf_kptr_xchg` alone.
enum KptrFieldAccess {
    /// The kptr field an access of `size` bytes at `start` overlaps, if any.
    private static func field(_ access: MapValueAccess, start: Int, size: Int) -> KptrField? {
        access.kptrFields.first { field in
            let low = Int(field.offset)
            return start < low + Int(KptrField.size) && start + size > low
        }
    }

    /// Whether `size` bytes at constant offset `start` of the value touch a kptr field.
    static func touches(_ access: MapValueAccess, start: Int, size: Int) -> Bool {
        field(access, start: start, size: size) != nil
    }

    /// Refuses an access that touches a kptr field other than as a whole-field load.
    static func check(_ access: MapValueAccess, _ base: AbstractValue, offset insnOffset: Int, size: Int, write: Bool,
                      helper: Bool, at index: Int) throws(VMError) {
        guard !access.kptrFields.isEmpty else { return }
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        guard let variable = base.range.constant else {
            let low = base.offset + insnOffset + Int(truncatingIfNeeded: base.range.smin)
            let high = base.offset + insnOffset + Int(truncatingIfNeeded: min(base.range.umax, UInt64(Int.max / 2))) + size
            if access.kptrFields.contains(where: { field in low < Int(field.offset) + 8 && high > Int(field.offset) }) {
                throw refuse("kptr access cannot have variable offset")
            }
            return
        }
        let start = base.offset + insnOffset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        guard let field = field(access, start: start, size: size) else { return }
        if helper { throw refuse("kptr cannot be accessed indirectly by helper") }
        if size != Int(KptrField.size) { throw refuse("kptr access size must be BPF_DW") }
        if start != Int(field.offset) { throw refuse("kptr access misaligned expected=\(field.offset) off=\(start)") }
        if write, field.kind != .untrusted { throw refuse("store to referenced kptr disallowed") }
    }

    /// What a load of a kptr field gives: a pointer that may be NULL, read through with probe
    /// loads (typed by the kernel's BTF when it has the field's struct); nil when the load reads
    /// no kptr field.
    /// A referenced kptr to a program-local type with a `bpf_refcount` is RCU-protected, and a
    /// tc program always runs in an RCU read section: the kernel's btf_ld_kptr_type gives
    /// MEM_ALLOC | MEM_RCU, an object the program may read, write and bpf_refcount_acquire.
    static func loaded(from base: AbstractValue, offset insnOffset: Int, size: Int, at index: Int,
                       setup: PathSetup) -> AbstractValue? {
        guard case let .mapValue(_, access, false) = base.kind, !access.kptrFields.isEmpty,
              size == Int(KptrField.size), let variable = base.range.constant else { return nil }
        let start = base.offset + insnOffset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        guard let field = access.kptrFields.first(where: { Int($0.offset) == start }) else { return nil }
        if let object = PerCPUObjectPrototypes.loaded(field, at: index, setup: setup) { return object }
        if field.kind == .referenced, let type = setup.pathOptions.localObjectTypes[field.targetTypeID], type.refcounted {
            setup.objectSites.note(field.targetTypeID, at: index)
            setup.objectSites.noteRCU(at: index)
            return AbstractValue(kind: .memory(size: type.size, nullable: true), id: index + 1)
        }
        // A field whose struct the kernel's BTF names is a kernel kptr (btf_parse_kptr looks the
        // name up there first) and loads as the kernel types it (PTR_TO_BTF_ID, untrusted or
        // RCU, maybe NULL): its loads are walked against that struct (`access beyond struct`).
        if let id = KernelKptrFields.kernelStructure(of: field, setup: setup) {
            // A referenced kptr to a struct the kernel frees after an RCU grace period loads as
            // an RCU pointer, a tc program being always in an RCU read section (rcu_safe_kptr,
            // in_rcu_cs): bpf_task_acquire takes it.
            let rcu = field.kind == .referenced && Self.rcuProtectedStructs.contains(field.targetName)
            let pointer = BTFPointer(typeID: id, name: field.targetName, untrusted: !rcu, nullable: true, rcu: rcu)
            return AbstractValue(kind: .btf(pointer), id: index + 1)
        }
        var pointer = BTFPointer.untyped
        pointer.nullable = true
        // Named for the kfuncs that take the field's type (CryptoPrototypes); still untyped memory.
        pointer.name = field.targetName
        return AbstractValue(kind: .btf(pointer), id: index + 1)
    }

    /// The kernel's rcu_protected_types that a program's kptr may point to.
    static let rcuProtectedStructs: Set<String> = ["task_struct", "cgroup", "bpf_cpumask", "bpf_crypto_ctx"]

    /// bpf_kptr_xchg's first argument: the kptr field it points at; nil when the analysis does
    /// not follow the pointer.
    static func exchangedField(_ value: AbstractValue, at index: Int) throws(VMError) -> KptrField? {
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        switch value.kind {
        case .unknown, .notInit:
            return nil
        case let .mapValue(_, access, nullable):
            if nullable { throw refuse("R1 type=\(value.typeName) expected=map_value") }
            // process_kptr_func: the offset and the map's kptrs are EINVAL, the field EACCES.
            guard let variable = value.range.constant else {
                throw VMError(instruction: index, "R1 doesn't have constant offset. kptr has to be at the constant offset",
                              errno: .EINVAL)
            }
            let offset = value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
            guard !access.kptrFields.isEmpty else {
                throw VMError(instruction: index, "map '\(access.mapName)' has no valid kptr", errno: .EINVAL)
            }
            guard let field = access.kptrFields.first(where: { Int($0.offset) == offset }) else {
                throw refuse("off=\(offset) doesn't point to kptr")
            }
            if field.kind == .untrusted { throw refuse("off=\(offset) kptr isn't referenced kptr") }
            return field
        default:
            throw refuse("R1 type=\(value.typeName) expected=map_value")
        }
    }

    /// bpf_kptr_xchg's first argument inside an object the path owns (PTR_TO_BTF_ID |
    /// MEM_ALLOC, Linux 6.18's process_kptr_func): a referenced kptr member of its type at a
    /// constant offset, the object compared with NULL first.
    static func exchangedObjectField(_ value: AbstractValue, type: LocalObjectType?, at index: Int) throws(VMError) -> KptrField? {
        func refuse(_ reason: String) -> VMError { VMError(instruction: index, reason, errno: .EACCES) }
        guard case .memory(_, let nullable) = value.kind else { return nil }
        if nullable { throw refuse("R1 type=alloc_ptr_or_null_ expected=map_value, ptr_") }
        guard let variable = value.range.constant else {
            throw refuse("R1 doesn't have constant offset. kptr has to be at the constant offset")
        }
        guard let type else { return nil }
        guard !type.kptrFields.isEmpty else {
            throw VMError(instruction: index, "R1 has no valid kptr: struct \(type.name) has no __kptr member", errno: .EINVAL)
        }
        let offset = value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        guard let field = type.kptrFields.first(where: { Int($0.offset) == offset }) else {
            throw refuse("off=\(offset) doesn't point to kptr")
        }
        if field.kind == .untrusted { throw refuse("off=\(offset) kptr isn't referenced kptr") }
        return field
    }
}
