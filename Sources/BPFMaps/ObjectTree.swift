/// The objects in one `bpf_rb_root`: a red-black tree balanced exactly as Linux's lib/rbtree.c
/// balances it (insertion below the last node `less` sends it past, then the same recolourings
/// and rotations; erasure through the in-order successor), because programs see its shape
/// through `bpf_rbtree_root/left/right`. Nodes are named by their `bpf_rb_node`'s address;
/// the order is the program's `less`, asked during `insert`.
public struct ObjectTree: Sendable {
    private struct Node: Sendable {
        var entry: ObjectHeap.ListEntry
        var left = -1, right = -1, parent = -1
        var red = true
    }

    /// Slots, some free (`freeSlots`); -1 is no node.
    private var nodes: [Node] = []
    private var freeSlots: [Int] = []
    private var slotOf: [UInt64: Int] = [:]
    private var rootSlot = -1

    public init() {}

    public var isEmpty: Bool { rootSlot < 0 }

    /// Every object in the tree, in no particular order.
    public var entries: [ObjectHeap.ListEntry] { slotOf.values.map { nodes[$0].entry } }

    public func contains(node: UInt64) -> Bool { slotOf[node] != nil }

    public var root: ObjectHeap.ListEntry? { entry(rootSlot) }

    /// The leftmost (smallest) entry.
    public var first: ObjectHeap.ListEntry? {
        var slot = rootSlot
        while slot >= 0, nodes[slot].left >= 0 { slot = nodes[slot].left }
        return entry(slot)
    }

    public func left(of node: UInt64) -> ObjectHeap.ListEntry? { slotOf[node].flatMap { entry(nodes[$0].left) } }

    public func right(of node: UInt64) -> ObjectHeap.ListEntry? { slotOf[node].flatMap { entry(nodes[$0].right) } }

    private func entry(_ slot: Int) -> ObjectHeap.ListEntry? { slot >= 0 ? nodes[slot].entry : nil }

    /// Inserts `entry`: from the root, left of every node `less(entry, node)` is true for, right
    /// otherwise (so after its equals), as rb_add_cached. `less` nil (the callback faulted)
    /// leaves the tree as it was and returns false.
    public mutating func insert(_ entry: ObjectHeap.ListEntry, less: (ObjectHeap.ListEntry) -> Bool?) -> Bool {
        var parent = -1, goesLeft = false
        var slot = rootSlot
        while slot >= 0 {
            guard let before = less(nodes[slot].entry) else { return false }
            parent = slot
            goesLeft = before
            slot = before ? nodes[slot].left : nodes[slot].right
        }
        var node = Node(entry: entry)
        node.parent = parent
        let new: Int
        if let reused = freeSlots.popLast() {
            nodes[reused] = node
            new = reused
        } else {
            nodes.append(node)
            new = nodes.count - 1
        }
        slotOf[entry.object &+ entry.nodeOffset] = new
        if parent < 0 {
            rootSlot = new
        } else if goesLeft {
            nodes[parent].left = new
        } else {
            nodes[parent].right = new
        }
        balanceAfterInsert(new)
        return true
    }

    /// Takes the entry whose node is at `node` out; nil when it is not in this tree.
    public mutating func remove(node address: UInt64) -> ObjectHeap.ListEntry? {
        guard let node = slotOf.removeValue(forKey: address) else { return nil }
        let removed = nodes[node].entry
        // The node's place goes to its one child, or to its in-order successor (rb_erase).
        var child: Int, childParent: Int, removedRed: Bool
        if nodes[node].left < 0 || nodes[node].right < 0 {
            child = nodes[node].left < 0 ? nodes[node].right : nodes[node].left
            childParent = nodes[node].parent
            removedRed = nodes[node].red
            transplant(node, with: child)
        } else {
            var successor = nodes[node].right
            while nodes[successor].left >= 0 { successor = nodes[successor].left }
            removedRed = nodes[successor].red
            child = nodes[successor].right
            if nodes[successor].parent == node {
                childParent = successor
            } else {
                childParent = nodes[successor].parent
                transplant(successor, with: child)
                nodes[successor].right = nodes[node].right
                nodes[nodes[successor].right].parent = successor
            }
            transplant(node, with: successor)
            nodes[successor].left = nodes[node].left
            nodes[nodes[successor].left].parent = successor
            nodes[successor].red = nodes[node].red
        }
        freeSlots.append(node)
        if !removedRed { balanceAfterRemove(child, parent: childParent) }
        return removed
    }

    private func isRed(_ slot: Int) -> Bool { slot >= 0 && nodes[slot].red }

    /// Puts `replacement` (or no node) where `slot` hangs.
    private mutating func transplant(_ slot: Int, with replacement: Int) {
        let parent = nodes[slot].parent
        if parent < 0 {
            rootSlot = replacement
        } else if nodes[parent].left == slot {
            nodes[parent].left = replacement
        } else {
            nodes[parent].right = replacement
        }
        if replacement >= 0 { nodes[replacement].parent = parent }
    }

    private mutating func rotateLeft(_ slot: Int) {
        let pivot = nodes[slot].right
        nodes[slot].right = nodes[pivot].left
        if nodes[pivot].left >= 0 { nodes[nodes[pivot].left].parent = slot }
        transplant(slot, with: pivot)
        nodes[pivot].left = slot
        nodes[slot].parent = pivot
    }

    private mutating func rotateRight(_ slot: Int) {
        let pivot = nodes[slot].left
        nodes[slot].left = nodes[pivot].right
        if nodes[pivot].right >= 0 { nodes[nodes[pivot].right].parent = slot }
        transplant(slot, with: pivot)
        nodes[pivot].right = slot
        nodes[slot].parent = pivot
    }

    /// __rb_insert: a red node under a red parent is fixed by recolouring while the uncle is
    /// red, then by at most two rotations.
    private mutating func balanceAfterInsert(_ inserted: Int) {
        var node = inserted
        while isRed(nodes[node].parent) {
            var parent = nodes[node].parent
            let grandparent = nodes[parent].parent
            let parentIsLeft = nodes[grandparent].left == parent
            let uncle = parentIsLeft ? nodes[grandparent].right : nodes[grandparent].left
            if isRed(uncle) {
                nodes[parent].red = false
                nodes[uncle].red = false
                nodes[grandparent].red = true
                node = grandparent
                continue
            }
            if parentIsLeft {
                if nodes[parent].right == node {
                    rotateLeft(parent)
                    node = parent
                    parent = nodes[node].parent
                }
                nodes[parent].red = false
                nodes[grandparent].red = true
                rotateRight(grandparent)
            } else {
                if nodes[parent].left == node {
                    rotateRight(parent)
                    node = parent
                    parent = nodes[node].parent
                }
                nodes[parent].red = false
                nodes[grandparent].red = true
                rotateLeft(grandparent)
            }
        }
        nodes[rootSlot].red = false
    }

    /// ____rb_erase_color: a black node is missing on the way to `node` (maybe none) under
    /// `parent`.
    private mutating func balanceAfterRemove(_ start: Int, parent start2: Int) {
        var node = start, parent = start2
        while node != rootSlot, !isRed(node), parent >= 0 {
            if nodes[parent].left == node {
                var sibling = nodes[parent].right
                if isRed(sibling) {
                    nodes[sibling].red = false
                    nodes[parent].red = true
                    rotateLeft(parent)
                    sibling = nodes[parent].right
                }
                if !isRed(nodes[sibling].left), !isRed(nodes[sibling].right) {
                    nodes[sibling].red = true
                    node = parent
                    parent = nodes[node].parent
                    continue
                }
                if !isRed(nodes[sibling].right) {
                    nodes[nodes[sibling].left].red = false
                    nodes[sibling].red = true
                    rotateRight(sibling)
                    sibling = nodes[parent].right
                }
                nodes[sibling].red = nodes[parent].red
                nodes[parent].red = false
                nodes[nodes[sibling].right].red = false
                rotateLeft(parent)
            } else {
                var sibling = nodes[parent].left
                if isRed(sibling) {
                    nodes[sibling].red = false
                    nodes[parent].red = true
                    rotateRight(parent)
                    sibling = nodes[parent].left
                }
                if !isRed(nodes[sibling].left), !isRed(nodes[sibling].right) {
                    nodes[sibling].red = true
                    node = parent
                    parent = nodes[node].parent
                    continue
                }
                if !isRed(nodes[sibling].left) {
                    nodes[nodes[sibling].right].red = false
                    nodes[sibling].red = true
                    rotateLeft(sibling)
                    sibling = nodes[parent].left
                }
                nodes[sibling].red = nodes[parent].red
                nodes[parent].red = false
                nodes[nodes[sibling].left].red = false
                rotateRight(parent)
            }
            node = rootSlot
        }
        if node >= 0 { nodes[node].red = false }
    }

    // MARK: For tests: the red-black rules and the order

    /// The entries from first to last.
    var inOrder: [ObjectHeap.ListEntry] {
        var result: [ObjectHeap.ListEntry] = []
        func walk(_ slot: Int) {
            guard slot >= 0 else { return }
            walk(nodes[slot].left)
            result.append(nodes[slot].entry)
            walk(nodes[slot].right)
        }
        walk(rootSlot)
        return result
    }

    /// The black height when the tree keeps the red-black rules (black root, no red node
    /// with a red child, as many black nodes on every way down, parents linked back); nil
    /// when it does not.
    var checkedBlackHeight: Int? {
        func height(_ slot: Int, parent: Int) -> Int? {
            guard slot >= 0 else { return 1 }
            let node = nodes[slot]
            guard node.parent == parent, !(node.red && (isRed(node.left) || isRed(node.right))),
                  let left = height(node.left, parent: slot), let right = height(node.right, parent: slot),
                  left == right else { return nil }
            return left + (node.red ? 0 : 1)
        }
        guard !isRed(rootSlot) else { return nil }
        return height(rootSlot, parent: -1)
    }
}
