import BPFCore

/// The list kfuncs on one path, as Linux 6.18 checks them (measured in
/// Tests/Fixtures/corpus/objects/lists.c): the head is a map value's `bpf_list_head` at a
/// constant offset, taken only while the `bpf_spin_lock` of that same value is held (EINVAL
/// otherwise); a push takes an object the path owns, of the head's contained type, by its node
/// (the object is the list's then); a pop gives the node of an object the path owns, NULL until
/// compared; `front`/`back` give the node of an object still on the list, which the path may
/// use but not drop (a non-owning reference), until the unlock. The head itself is never
/// loaded or stored (EACCES).
///
/// A pushed object stays usable (a non-owning reference) until the unlock, as after an rbtree
/// add (`RbtreePrototypes.keepNonOwning`).
enum GraphPrototypes {
    static let listKfuncs: [EmbeddedKfunc] = [.listPushFront, .listPushBack, .listPopFront, .listPopBack, .listFront, .listBack]
    private static let listHelpers = Set(listKfuncs.map(KfuncTable.helperID))

    /// The graph kfuncs are the calls allowed while a lock is held.
    static func runsUnderLock(_ id: Int32) -> Bool {
        listHelpers.contains(id) || RbtreePrototypes.helpers.contains(id) || id == KfuncTable.helperID(.refcountAcquire)
    }

    /// Handles `kfunc` when it is a graph one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        guard listKfuncs.contains(kfunc) else { return false }
        let r = state.registers
        var result: AbstractValue = .scalar(.unknown)
        if let root = try heldRoot(r[1], kind: .list, at: index, state, setup: setup) {
            switch kfunc {
            case .listPushFront, .listPushBack:
                try checkPushed(r[2], into: root, at: index, setup: setup)
                RbtreePrototypes.keepNonOwning(r[2], &state, setup: setup)
            case .listFront, .listBack:
                result = peeked(root, at: index, setup: setup)
            default:
                result = popped(root, at: index, &state, setup: setup)
            }
        } else if kfunc != .listPushFront, kfunc != .listPushBack {
            result = .unknown
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }

    /// The list head or rbtree root `value` points at, checked: nil when the analysis does not
    /// follow it.
    static func heldRoot(_ value: AbstractValue, kind: GraphRoot.Kind, at index: Int, _ state: PathState,
                         setup: PathSetup) throws(VMError) -> GraphRoot? {
        let name = kind.rawValue
        switch value.kind {
        case .unknown, .notInit:
            return nil
        case let .mapValue(_, access, nullable):
            if nullable { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES) }
            guard let variable = value.range.constant else {
                throw VMError(instruction: index, "R1 doesn't have constant offset. \(name) has to be at the constant offset",
                              errno: .EINVAL)
            }
            let offset = value.offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
            guard let root = access.graphRoots.first(where: { Int($0.offset) == offset && $0.kind == kind }) else {
                throw VMError(instruction: index, "off=\(offset) doesn't point to \(name)", errno: .EINVAL)
            }
            guard let lock = access.lockOffset else {
                throw VMError(instruction: index, "\(name) not protected by bpf_spin_lock", errno: .EINVAL)
            }
            // The lock held must be this value's (state.lockOwner: the value's id and the lock's offset).
            let owner = [value.id, lock]
            // Inside an rbtree's `less` the caller's lock is held, whichever it is.
            if !state.lockHeld || !state.lockOwner.isEmpty && state.lockOwner != owner && !RbtreePrototypes.inCallback(state) {
                throw VMError(instruction: index, "bpf_spin_lock at off=\(lock) must be held for \(name)", errno: .EINVAL)
            }
            return root
        case .memory:
            // A root inside an object the program allocated, under that object's own lock.
            if let root = try ObjectLocks.heldRoot(value, kind: kind, at: index, state, setup: setup) { return root }
            throw VMError(instruction: index, "arg#0 expected pointer to map value, but R1 is \(value.typeName)", errno: .EINVAL)
        default:
            throw VMError(instruction: index, "arg#0 expected pointer to map value, but R1 is \(value.typeName)", errno: .EINVAL)
        }
    }

    /// A push's node: an owned object of the root's contained type, at its node.
    static func checkPushed(_ value: AbstractValue, into root: GraphRoot, at index: Int, setup: PathSetup) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .memory(_, let nullable) where value.reference != 0:
            if nullable { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg1", errno: .EACCES) }
            // A node at a variable offset is refused before its type (measured on Linux 6.18).
            if value.range.constant == nil {
                throw VMError(instruction: index, "variable ptr_ access var_off=\(value.range.knownBits) disallowed", errno: .EACCES)
            }
            guard setup.objectSites.type(at: value.reference - 1) == root.containedTypeID,
                  value.offset == Int(root.nodeOffset), value.range.constant == 0 else {
                throw VMError(instruction: index, "operation on \(root.kind.rawValue) expects arg#1 \(root.kind.nodeName) at offset=\(root.nodeOffset) "
                              + "in struct \(root.containedName)", errno: .EINVAL)
            }
        default:
            throw VMError(instruction: index, "arg#1 expected pointer to allocated object, but R2 is \(value.typeName)", errno: .EINVAL)
        }
    }

    /// A pop's result: the node of an object of the root's contained type, owned by the path.
    static func popped(_ root: GraphRoot, at index: Int, _ state: inout PathState, setup: PathSetup) -> AbstractValue {
        guard let type = setup.pathOptions.localObjectTypes[root.containedTypeID] else { return .unknown }
        setup.objectSites.note(root.containedTypeID, at: index)
        state.references.append(index)
        return AbstractValue(kind: .memory(size: type.size, nullable: true), offset: Int(root.nodeOffset), id: index + 1,
                             reference: index + 1)
    }

    /// A peek's result: the node of an object still on the list, NULL until compared, holding
    /// no reference, valid until the unlock (`unlocked`).
    static func peeked(_ root: GraphRoot, at index: Int, setup: PathSetup) -> AbstractValue {
        guard let type = setup.pathOptions.localObjectTypes[root.containedTypeID] else { return .unknown }
        setup.objectSites.note(root.containedTypeID, at: index)
        setup.objectSites.noteNonOwning(at: index)
        return AbstractValue(kind: .memory(size: type.size, nullable: true), offset: Int(root.nodeOffset), id: index + 1)
    }

    /// The lock was released: what the path peeked at under it is gone (a number now), as the
    /// kernel invalidates non-owning references.
    static func unlocked(_ state: inout PathState, setup: PathSetup) {
        guard setup.objectSites.hasNonOwning else { return }
        state.updateAll { value in
            if case .memory = value.kind, value.reference == 0, setup.objectSites.isNonOwning(at: value.id - 1) {
                value = .scalar(.unknown)
            }
        }
    }

    /// Refuses a load or store that touches a graph root.
    static func checkAccess(_ access: MapValueAccess, _ base: AbstractValue, offset insnOffset: Int, size: Int,
                            at index: Int) throws(VMError) {
        guard !access.graphRoots.isEmpty, let variable = base.range.constant else { return }
        let start = base.offset + insnOffset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        for root in access.graphRoots where start < Int(root.offset + GraphRoot.size) && start + size > Int(root.offset) {
            throw VMError(instruction: index, "\(root.kind.rawValue) cannot be accessed directly by load/store", errno: .EACCES)
        }
    }
}

extension GraphRoot.Kind {
    /// The node type the root's objects hold.
    var nodeName: String { self == .list ? "bpf_list_node" : "bpf_rb_node" }
}
