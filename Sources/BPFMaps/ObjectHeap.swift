import BPFCore
import Synchronization

/// The objects programs allocated (`bpf_obj_new`) and have not dropped, by address: the
/// kernel's `bpf_global_ma`. Shared by every run, since an object stashed in a map value's
/// kptr field outlives its run. Each stashed object's home is the field that holds it, so
/// overwriting, deleting or freeing the value drops it whatever its bytes became.
public final class ObjectHeap: Sendable {
    public static let shared = ObjectHeap()

    private struct State {
        /// Address → size, each object filed by its pages too (`LiveObjects`).
        var live = LiveObjects()
        /// Field address → the object it holds.
        var homes = PagedAddressMap<UInt64>()
        /// Address → references beyond the first, for objects `bpf_refcount_acquire` shared.
        var extraReferences: [UInt64: Int] = [:]
        /// List head address → the objects on it (and their nodes' offsets), first to last.
        var lists = PagedAddressMap<[ListEntry]>()
        /// Root address → the tree of objects it holds (`ObjectTree`).
        var trees = PagedAddressMap<ObjectTree>()
        /// Node address → the root of the tree it is in: a node is in one tree at a time.
        var treeOfNode: [UInt64: UInt64] = [:]
        /// Per-CPU object address → the size of each of its copies (`allocatePerCPU`).
        var perCPUSizes: [UInt64: Int] = [:]
    }

    private let state = Mutex(State())

    /// Zeroed memory of `size` bytes (at least one is allocated, so every object has its own
    /// address); nil past the kernel's largest object.
    public func allocate(size: Int) -> UnsafeMutableRawBufferPointer? {
        guard size >= 0, size <= ObjectLimits.largestObject else { return nil }
        let object = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 8)
        object.initializeMemory(as: UInt8.self, repeating: 0)
        let address = UInt64(UInt(bitPattern: object.baseAddress))
        state.withLock { $0.live.insert(address, size: size) }
        return UnsafeMutableRawBufferPointer(start: object.baseAddress, count: size)
    }

    /// A per-CPU object (`bpf_percpu_obj_new`): `copies` zeroed copies of `size` bytes, one per
    /// possible CPU, each at a multiple of 8 bytes from the last; its address is the first's.
    /// Nil past the kernel's largest per-CPU object.
    public func allocatePerCPU(size: Int, copies: Int) -> UInt64? {
        guard size >= 0, size <= ObjectLimits.largestPerCPUObject, copies > 0, copies <= 1 << 16 else { return nil }
        let total = Self.copyStride(size) * copies
        let object = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 8)
        object.initializeMemory(as: UInt8.self, repeating: 0)
        let address = UInt64(UInt(bitPattern: object.baseAddress))
        state.withLock { state in
            state.live.insert(address, size: total)
            state.perCPUSizes[address] = size
        }
        return address
    }

    /// CPU `cpu`'s copy of the live per-CPU object at `address`; nil when there is no such
    /// object or CPU (the kernel's bpf_per_cpu_ptr answers NULL past the last possible CPU).
    public func perCPUCopy(of address: UInt64, cpu: UInt64) -> UnsafeMutableRawBufferPointer? {
        state.withLock { state -> UnsafeMutableRawBufferPointer? in
            guard let size = state.perCPUSizes[address], let total = state.live[address] else { return nil }
            let stride = Self.copyStride(size)
            guard cpu < UInt64(total / stride) else { return nil }
            let start = UnsafeMutableRawPointer(bitPattern: UInt(address)).map { $0 + Int(cpu) * stride }
            return UnsafeMutableRawBufferPointer(start: start, count: size)
        }
    }

    /// Whether `address` is a live per-CPU object.
    public func isPerCPU(_ address: UInt64) -> Bool { state.withLock { $0.perCPUSizes[address] != nil } }

    private static func copyStride(_ size: Int) -> Int { max(8, (size + 7) / 8 * 8) }

    /// Another reference to the live object at `address` (bpf_refcount_acquire); false when
    /// there is none.
    public func acquire(_ address: UInt64) -> Bool {
        state.withLock { state in
            guard state.live[address] != nil else { return false }
            state.extraReferences[address, default: 0] += 1
            return true
        }
    }

    /// Drops a reference to the object at `address`, freeing it with its last; an address no
    /// object has is left alone. A freed object drops what it held in turn: the objects
    /// stashed in its kptr fields and those on its lists and trees (the kernel's
    /// bpf_obj_free_fields).
    public func free(_ address: UInt64) {
        var pending = [address]
        while let next = pending.popLast() {
            let (last, held) = state.withLock { state -> (Bool, [UInt64]) in
                if let extra = state.extraReferences[next] {
                    state.extraReferences[next] = extra > 1 ? extra - 1 : nil
                    return (false, [])
                }
                guard let size = state.live.remove(next) else { return (false, []) }
                state.perCPUSizes[next] = nil
                return (true, Self.takeHeld(inObject: next, size: size, &state))
            }
            guard last, let object = UnsafeMutableRawPointer(bitPattern: UInt(next)) else { continue }
            object.deallocate()
            pending.append(contentsOf: held)
        }
    }

    /// Takes out of the heap's books the objects the `size` bytes at `base` hold: those in its
    /// kptr fields (their homes lie inside it) and on its list heads and tree roots, found by
    /// the object's pages (`PagedAddressMap`), not by looking at every one.
    private static func takeHeld(inObject base: UInt64, size: Int, _ state: inout State) -> [UInt64] {
        var held: [UInt64] = []
        for field in state.homes.addresses(inside: base, size: size) {
            if let object = state.homes.removeValue(forKey: field) { held.append(object) }
        }
        for head in state.lists.addresses(inside: base, size: size) {
            held += (state.lists.removeValue(forKey: head) ?? []).map(\.object)
        }
        for root in state.trees.addresses(inside: base, size: size) {
            for entry in state.trees.removeValue(forKey: root)?.entries ?? [] {
                state.treeOfNode[entry.object &+ entry.nodeOffset] = nil
                held.append(entry.object)
            }
        }
        return held
    }

    /// The live object starting at `address`.
    public func object(at address: UInt64) -> UnsafeMutableRawBufferPointer? {
        guard let size = state.withLock({ $0.live[address] }) else { return nil }
        return UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: UInt(address)), count: size)
    }

    /// The live object a node at `node` belongs to, and the node's offset in it: `offset` when
    /// the program passed the right one, else found by address, since the kernel's verifier
    /// writes the offset into the call and programs built with the selftests' macros pass 0.
    public func owner(ofNode node: UInt64, offset: UInt64) -> ListEntry? {
        state.withLock { state -> ListEntry? in
            if offset <= node, let size = state.live[node &- offset], offset < UInt64(size) {
                return ListEntry(object: node &- offset, nodeOffset: offset)
            }
            return state.live.object(around: node).map { ListEntry(object: $0.base, nodeOffset: node &- $0.base) }
        }
    }

    /// Whether `[address, address + size)` lies inside a live object: what a probe load through
    /// an untrusted kptr may read. The object is found by `address`'s page (`LiveObjects`).
    public func holds(_ address: UInt64, size: UInt64) -> Bool {
        state.withLock { state in
            guard let object = state.live.object(around: address) else { return false }
            return UInt64(object.size) &- (address &- object.base) >= size
        }
    }

    /// `bpf_kptr_xchg` on the field at `field`: `object` (0 for none) goes in, and what the
    /// field held comes back (0 for none). The field's bytes are written too, for the
    /// program's loads; what they held before is trusted only when it is the field's home.
    public func exchange(field: UnsafeMutableRawPointer, object: UInt64) -> UInt64 {
        let address = UInt64(UInt(bitPattern: field))
        return state.withLock { state in
            let old = state.homes.removeValue(forKey: address) ?? 0
            if object != 0 { state.homes[address] = object }
            field.storeBytes(of: object, as: UInt64.self)
            return old
        }
    }

    /// The value at `value` was overwritten, deleted or freed: each kptr field's object is
    /// dropped and the field reads NULL.
    public func dropStashed(in value: UnsafeMutableRawPointer, fields: [KptrField]) {
        for field in fields {
            let slot = value + Int(field.offset)
            let stashed = state.withLock { state -> UInt64? in
                slot.storeBytes(of: UInt64(0), as: UInt64.self)
                return state.homes.removeValue(forKey: UInt64(UInt(bitPattern: slot)))
            }
            if let stashed { free(stashed) }
        }
    }

    /// An object on a list, and where its node is in it.
    public struct ListEntry: Sendable {
        public var object: UInt64
        public var nodeOffset: UInt64

        public init(object: UInt64, nodeOffset: UInt64) {
            self.object = object
            self.nodeOffset = nodeOffset
        }
    }

    /// Puts `object` (its node at `nodeOffset`) on the list at `head`, first or last.
    public func push(_ object: UInt64, nodeOffset: UInt64, onto head: UInt64, front: Bool) {
        let entry = ListEntry(object: object, nodeOffset: nodeOffset)
        state.withLock { state in
            state.lists.update(head, default: []) { list in
                if front { list.insert(entry, at: 0) } else { list.append(entry) }
            }
        }
    }

    /// Takes the first or last object off the list at `head`; nil when it is empty.
    public func pop(from head: UInt64, front: Bool) -> ListEntry? {
        state.withLock { state -> ListEntry? in
            guard var list = state.lists[head], !list.isEmpty else { return nil }
            let object = front ? list.removeFirst() : list.removeLast()
            state.lists[head] = list.isEmpty ? nil : list
            return object
        }
    }

    /// The first or last object on the list at `head`, left there; nil when it is empty.
    public func peek(at head: UInt64, front: Bool) -> ListEntry? {
        state.withLock { state in front ? state.lists[head]?.first : state.lists[head]?.last }
    }

    /// The value at `value` was overwritten, deleted or freed: the objects on its lists are
    /// dropped.
    public func dropLists(in value: UnsafeMutableRawPointer, roots: [GraphRoot]) {
        for root in roots {
            let head = UInt64(UInt(bitPattern: value + Int(root.offset)))
            let objects = state.withLock { state in
                switch root.kind {
                case .list:
                    return state.lists.removeValue(forKey: head) ?? []
                case .rbtree:
                    let entries = state.trees.removeValue(forKey: head)?.entries ?? []
                    for entry in entries { state.treeOfNode[entry.object &+ entry.nodeOffset] = nil }
                    return entries
                }
            }
            for entry in objects { free(entry.object) }
        }
    }

    /// What `addToTree` did.
    public enum TreeAddition: Sendable {
        case added
        /// The node is in a tree already (the kernel's owner check): nothing changed.
        case alreadyInTree
        /// The `less` callback faulted: nothing changed.
        case faulted
    }

    /// Adds `entry` to the tree at `root`, ordered by `less` (the program's callback, asked
    /// with each node on the way down). The tree is taken out of the heap while `less` runs,
    /// so program code never runs under the heap's lock; the program's own `bpf_spin_lock`
    /// keeps other runs off this root meanwhile, as the verifier required it held.
    public func addToTree(_ entry: ListEntry, root: UInt64, less: (ListEntry) -> Bool?) -> TreeAddition {
        let node = entry.object &+ entry.nodeOffset
        guard var tree = state.withLock({ state -> ObjectTree? in
            guard state.treeOfNode[node] == nil else { return nil }
            return state.trees.removeValue(forKey: root) ?? ObjectTree()
        }) else { return .alreadyInTree }
        let added = tree.insert(entry, less: less)
        state.withLock { state in
            if added { state.treeOfNode[node] = root }
            if !tree.isEmpty { state.trees[root] = tree }
        }
        return added ? .added : .faulted
    }

    /// Takes the object whose node is at `node` out of the tree at `root`; nil when it is not
    /// in that tree (the kernel's bpf_rbtree_remove answers NULL then).
    public func removeFromTree(node: UInt64, root: UInt64) -> ListEntry? {
        state.withLock { state -> ListEntry? in
            guard state.treeOfNode[node] == root, var tree = state.trees[root],
                  let entry = tree.remove(node: node) else { return nil }
            state.treeOfNode[node] = nil
            state.trees[root] = tree.isEmpty ? nil : tree
            return entry
        }
    }

    /// A look at the tree at `root`: its first entry, its root entry, or a node's child.
    public func inTree(_ root: UInt64, _ look: (ObjectTree) -> ListEntry?) -> ListEntry? {
        // A copy of the tree (its arrays are shared until written) is looked at unlocked.
        let tree = state.withLock { $0.trees[root] }
        return tree.flatMap(look)
    }

    /// How many objects are alive (tests: every drop frees).
    public var count: Int { state.withLock { $0.live.count } }
}
