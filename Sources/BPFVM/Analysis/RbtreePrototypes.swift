import BPFCore

/// The rbtree kfuncs on one path, as Linux 6.18 checks them (measured in
/// Tests/Fixtures/corpus/objects/rbtree.c): the root is a map value's `bpf_rb_root` at a
/// constant offset, used only while the `bpf_spin_lock` of that same value is held (EINVAL
/// otherwise), as a list head (`GraphPrototypes.heldRoot`). The add takes an object the path
/// owns, by its node, and leaves the path a non-owning reference to it, valid until the unlock
/// (EACCES after); first, root, left and right give non-owning references, NULL until
/// compared; remove takes a node the path holds (non-owning or owned) and gives back an owned
/// one, NULL until compared, which must be dropped (EINVAL at the exit otherwise).
///
/// The add's `less(a, b)` callback is verified as the kernel verifies it: both arguments the
/// contained struct at its node, non-owning; run under the lock (no helper calls); returning
/// 0 or 1. It is explored on its own with those registers (`lessUse`), not on the caller's
/// path: what it does cannot change the caller's state but through the nodes.
enum RbtreePrototypes {
    static let kfuncs: [EmbeddedKfunc] = [.rbtreeAdd, .rbtreeRemove, .rbtreeFirst, .rbtreeRoot, .rbtreeLeft, .rbtreeRight]
    static let helpers = Set(kfuncs.map(KfuncTable.helperID))
    static let addHelper = KfuncTable.helperID(.rbtreeAdd)
    /// The lock a `less` callback runs under: its caller's, whichever that is.
    static let callbackLockOwner = [Int.min]

    /// Whether the path is inside a `less` callback.
    static func inCallback(_ state: PathState) -> Bool { state.lockOwner == callbackLockOwner }

    /// Handles `kfunc` when it is an rbtree one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        guard kfuncs.contains(kfunc) else { return false }
        let r = state.registers
        // Inside `less` a node may not be removed or walked from (the kernel's check on the
        // rb_node argument of every rbtree kfunc but bpf_rbtree_add, which may add to a tree).
        if inCallback(state), kfunc == .rbtreeRemove || kfunc == .rbtreeLeft || kfunc == .rbtreeRight {
            throw VMError(instruction: index, "\(kfunc.name) not allowed in rbtree cb", errno: .EINVAL)
        }
        var result: AbstractValue = .scalar(.unknown)
        if let root = try GraphPrototypes.heldRoot(r[1], kind: .rbtree, at: index, state, setup: setup) {
            switch kfunc {
            case .rbtreeAdd:
                try GraphPrototypes.checkPushed(r[2], into: root, at: index, setup: setup)
                switch r[3].kind {
                case .function, .unknown, .notInit: break
                default: throw VMError(instruction: index, "arg#2 expected pointer to func", errno: .EINVAL)
                }
                keepNonOwning(r[2], &state, setup: setup)
            case .rbtreeFirst, .rbtreeRoot:
                result = GraphPrototypes.peeked(root, at: index, setup: setup)
            case .rbtreeLeft, .rbtreeRight:
                try checkHeldNode(r[2], of: root, kfunc: kfunc, at: index, setup: setup)
                result = GraphPrototypes.peeked(root, at: index, setup: setup)
            default:
                try checkHeldNode(r[2], of: root, kfunc: kfunc, at: index, setup: setup)
                result = GraphPrototypes.popped(root, at: index, &state, setup: setup)
            }
        } else if kfunc != .rbtreeAdd {
            result = .unknown
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }

    /// The added object is the tree's now: what pointed at it stays usable, without the
    /// reference, until the unlock (the kernel's ref_set_non_owning).
    static func keepNonOwning(_ value: AbstractValue, _ state: inout PathState, setup: PathSetup) {
        let reference = value.reference
        guard reference != 0 else { return }
        state.dropReference(reference)
        // Its type stays where the object was made (`ObjectSites`), found by the id.
        setup.objectSites.noteNonOwning(at: reference - 1)
        state.updateAll { other in
            if other.reference == reference {
                other.reference = 0
                other.id = reference
            }
        }
    }

    /// A node remove, left or right take: of the root's type at its node, held by the path
    /// owned or non-owning (what `less` is given is neither).
    private static func checkHeldNode(_ value: AbstractValue, of root: GraphRoot, kfunc: EmbeddedKfunc, at index: Int,
                                      setup: PathSetup) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .memory(_, let nullable):
            if nullable { throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg1", errno: .EACCES) }
            let site: Int
            if value.reference != 0 {
                site = value.reference - 1
            } else if value.id != 0, setup.objectSites.isNonOwning(at: value.id - 1) {
                site = value.id - 1
            } else {
                throw VMError(instruction: index, "\(kfunc.name) can only take non-owning or refcounted bpf_rb_node pointer",
                              errno: .EINVAL)
            }
            guard setup.objectSites.type(at: site) == root.containedTypeID, value.offset == Int(root.nodeOffset),
                  value.range.constant == 0 else {
                throw VMError(instruction: index, "operation on bpf_rb_root expects arg#1 bpf_rb_node at offset=\(root.nodeOffset) "
                              + "in struct \(root.containedName)", errno: .EINVAL)
            }
        default:
            throw VMError(instruction: index, "arg#1 expected pointer to allocated object, but R2 is \(value.typeName)", errno: .EINVAL)
        }
    }

    /// How the add at this state runs its `less` callback (r3): with two nodes of the root's
    /// type, under the lock, returning 0 or 1. Nil when the root is not followed.
    static func lessUse(_ state: PathState) -> (Int, PathCallbacks.Use)? {
        let r = state.registers
        guard case .function(let start) = r[3].kind, case let .mapValue(_, access, _) = r[1].kind,
              let variable = r[1].range.constant else { return nil }
        let offset = r[1].offset + Int(truncatingIfNeeded: Int64(bitPattern: variable))
        guard let root = access.graphRoots.first(where: { Int($0.offset) == offset && $0.kind == .rbtree }) else { return nil }
        let node = AbstractValue(kind: .memory(size: Int(root.containedSize), nullable: false), offset: Int(root.nodeOffset))
        var entry = [AbstractValue](repeating: .notInit, count: 11)
        entry[1] = node
        entry[2] = node
        entry[10] = .pointer(.stack(frame: 0))
        return (start, PathCallbacks.Use(entry: entry, returns: 0 ... 1, underLock: true))
    }
}
