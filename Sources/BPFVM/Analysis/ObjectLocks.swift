import BPFCore

/// Objects a program allocates that hold their own `bpf_spin_lock` and graph roots, as Linux
/// 6.18 checks them (measured in Tests/Fixtures/corpus/objects/object_locks.c): the lock is
/// taken through the object at exactly its lock's offset (EINVAL otherwise), a root in the
/// object is used only under that same object's lock (EINVAL "held lock and object are not in
/// the same allocation"), and no load or store may overlap any special member (EACCES).
enum ObjectLocks {
    /// The local type of the object `value` points into, when it is one the program allocated
    /// (or popped, or peeked at) and the analysis follows.
    static func localType(_ value: AbstractValue, setup: PathSetup) -> LocalObjectType? {
        guard case .memory = value.kind, value.id > 0, let typeID = setup.objectSites.type(at: value.id - 1) else { return nil }
        return setup.pathOptions.localObjectTypes[typeID]
    }

    /// A spin-lock argument that is an allocated object: its lock must sit at the constant offset
    /// the pointer names. True when `value` was such an object (the map-value type check is
    /// then not the one that applies).
    static func checkLockArgument(_ value: AbstractValue, register: Int, at index: Int, setup: PathSetup) throws(VMError) -> Bool {
        guard let type = localType(value, setup: setup), case let .memory(_, nullable) = value.kind else { return false }
        if nullable {
            throw VMError(instruction: index, "R\(register) type=ptr_or_null_ expected=map_value, ptr_", errno: .EACCES)
        }
        guard let lock = type.spinLockOffset else {
            throw VMError(instruction: index, "local '\(type.name)' has no valid bpf_spin_lock", errno: .EINVAL)
        }
        try checkLockPlace(value, lock: lock, register: register, at: index)
        return true
    }

    /// A spin-lock argument that is a map value: the value's lock at the constant offset the
    /// pointer names (process_spin_lock; EINVAL otherwise). A value whose lock the analysis does
    /// not know is not judged here.
    static func checkMapValueLock(_ value: AbstractValue, register: Int, at index: Int) throws(VMError) {
        guard case let .mapValue(_, access, false) = value.kind, let lock = access.lockOffset else { return }
        try checkLockPlace(value, lock: lock, register: register, at: index)
    }

    /// The pointer names the lock at `lock` exactly, at a constant offset (process_spin_lock).
    private static func checkLockPlace(_ value: AbstractValue, lock: Int, register: Int, at index: Int) throws(VMError) {
        guard let variable = value.range.constant else {
            throw VMError(instruction: index, "R\(register) doesn't have constant offset. bpf_spin_lock has to be at the constant offset",
                          errno: .EINVAL)
        }
        let offset = value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        if offset != lock {
            throw VMError(instruction: index, "off \(offset) doesn't point to 'struct bpf_spin_lock' that is at \(lock)", errno: .EINVAL)
        }
    }

    /// The graph root of `kind` at the offset `value` names in an allocated object, checked to be
    /// under the object's own lock; nil when `value` is no allocated object.
    static func heldRoot(_ value: AbstractValue, kind: GraphRoot.Kind, at index: Int, _ state: PathState,
                         setup: PathSetup) throws(VMError) -> GraphRoot? {
        guard let type = localType(value, setup: setup), case let .memory(_, nullable) = value.kind else { return nil }
        let name = kind.rawValue
        if nullable { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES) }
        guard let variable = value.range.constant else {
            throw VMError(instruction: index, "variable ptr_ access var_off=\(value.range.knownBits) disallowed", errno: .EACCES)
        }
        let offset = value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        guard let root = type.graphRoots.first(where: { Int($0.offset) == offset && $0.kind == kind }) else {
            throw VMError(instruction: index, "\(name) not found at offset=\(offset)", errno: .EINVAL)
        }
        guard let lock = type.spinLockOffset else {
            throw VMError(instruction: index, "\(name) not protected by bpf_spin_lock", errno: .EINVAL)
        }
        if !state.lockHeld {
            throw VMError(instruction: index, "bpf_spin_lock at off=\(lock) must be held for \(name)", errno: .EINVAL)
        }
        if state.lockOwner != [value.id, lock], !state.lockOwner.isEmpty, !RbtreePrototypes.inCallback(state) {
            throw VMError(instruction: index, "held lock and object are not in the same allocation; "
                          + "bpf_spin_lock at off=\(lock) must be held for \(name)", errno: .EINVAL)
        }
        return root
    }

    /// Refuses a load or store through an allocated object that overlaps a special member.
    static func checkAccess(_ base: AbstractValue, offset insnOffset: Int, size: Int, at index: Int, setup: PathSetup) throws(VMError) {
        guard let type = localType(base, setup: setup), !type.fields.isEmpty, let variable = base.range.constant else { return }
        let start = base.offset + insnOffset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        for field in type.fields where start < field.offset + field.size && start + size > field.offset {
            throw VMError(instruction: index, "direct access to \(field.name) is disallowed", errno: .EACCES)
        }
    }
}
