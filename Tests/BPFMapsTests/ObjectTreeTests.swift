import BPFCore
@testable import BPFMaps
import Testing

/// ObjectTree balances as Linux's lib/rbtree.c: the shapes the kernel showed through
/// bpf_rbtree_root/left/right (corpus/objects/rbtree.tcx) and the red-black rules after any
/// mix of insertions and removals.
@Suite(.serialized) struct ObjectTreeTests {
    /// A fake object per key: the key is its address / 64, its node 8 bytes in.
    static func entry(_ key: UInt64, copy: UInt64 = 0) -> ObjectHeap.ListEntry {
        ObjectHeap.ListEntry(object: (key << 16 | copy) * 64, nodeOffset: 8)
    }

    static func key(_ entry: ObjectHeap.ListEntry?) -> UInt64? { entry.map { ($0.object / 64) >> 16 } }

    static func node(_ entry: ObjectHeap.ListEntry) -> UInt64 { entry.object + entry.nodeOffset }

    static func add(_ key: UInt64, copy: UInt64 = 0, to tree: inout ObjectTree) {
        let added = tree.insert(entry(key, copy: copy)) { existing in key < Self.key(existing) ?? 0 }
        #expect(added)
    }

    @Test func shapesAreTheKernels() {
        var tree = ObjectTree()
        for (copy, key) in [50, 40, 30, 60, 70, 45, 40].enumerated() {
            Self.add(UInt64(key), copy: UInt64(copy), to: &tree)
        }
        // Recorded on Linux 6.18: root 40, left 30, right 60.
        let root = tree.root
        #expect(Self.key(root) == 40)
        #expect(Self.key(root.flatMap { tree.left(of: Self.node($0)) }) == 30)
        #expect(Self.key(root.flatMap { tree.right(of: Self.node($0)) }) == 60)
        // Equal keys keep their order: the first 40 inserted is the first taken.
        #expect(tree.inOrder.compactMap(Self.key) == [30, 40, 40, 45, 50, 60, 70])
        #expect(tree.inOrder[1].object == Self.entry(40, copy: 1).object)
        for _ in 0 ..< 5 {
            guard let first = tree.first else { break }
            #expect(tree.remove(node: Self.node(first)) != nil)
        }
        // Then root 60, right 70, as the kernel's erase leaves it.
        #expect(Self.key(tree.root) == 60)
        #expect(Self.key(tree.root.flatMap { tree.right(of: Self.node($0)) }) == 70)
        #expect(tree.checkedBlackHeight != nil)
    }

    @Test func keepsTheRulesThroughInsertsAndRemovals() {
        var tree = ObjectTree()
        var random = SplitMix64(seed: 9)
        var present: [ObjectHeap.ListEntry] = []
        for step in 0 ..< 2000 {
            if present.isEmpty || random.next() % 3 != 0 {
                let key = random.next() % 100
                Self.add(key, copy: UInt64(step), to: &tree)
                present.append(Self.entry(key, copy: UInt64(step)))
            } else {
                let index = Int(random.next() % UInt64(present.count))
                let gone = present.remove(at: index)
                #expect(tree.remove(node: Self.node(gone))?.object == gone.object)
            }
            guard tree.checkedBlackHeight != nil else {
                Issue.record("red-black rules broken at step \(step)")
                return
            }
        }
        let keys = tree.inOrder.compactMap(Self.key)
        #expect(keys == keys.sorted())
        #expect(keys.count == present.count)
    }

    @Test func removingANodeNotInTheTreeChangesNothing() {
        var tree = ObjectTree()
        Self.add(5, to: &tree)
        #expect(tree.remove(node: Self.node(Self.entry(6))) == nil)
        #expect(tree.inOrder.count == 1)
    }

    @Test func aFaultingLessLeavesTheTreeAsItWas() {
        var tree = ObjectTree()
        Self.add(5, to: &tree)
        #expect(!tree.insert(Self.entry(6)) { _ in nil })
        #expect(tree.inOrder.compactMap(Self.key) == [5])
        #expect(!tree.contains(node: Self.node(Self.entry(6))))
    }

    /// Objects of a size nothing else allocates, so a freed address is not handed out again
    /// before the test looks it up.
    static let objectSize = 3032

    @Test func droppingTheValueFreesWhatItsTreeHeld() throws {
        var value = [UInt64](repeating: 0, count: 4)
        let root = GraphRoot(offset: 8, kind: .rbtree, containedTypeID: 3, containedName: "entry", nodeOffset: 8,
                             containedSize: UInt32(Self.objectSize))
        try value.withUnsafeMutableBytes { raw in
            let base = try #require(raw.baseAddress)
            let rootAddress = UInt64(UInt(bitPattern: base + 8))
            var objects: [UInt64] = []
            for _ in 0 ..< 3 {
                let object = try #require(ObjectHeap.shared.allocate(size: Self.objectSize))
                let address = UInt64(UInt(bitPattern: object.baseAddress))
                let entry = ObjectHeap.ListEntry(object: address, nodeOffset: 8)
                guard case .added = ObjectHeap.shared.addToTree(entry, root: rootAddress, less: { _ in true }) else {
                    Issue.record("not added")
                    return
                }
                objects.append(address)
            }
            // A node already in a tree is not added again.
            guard case .alreadyInTree = ObjectHeap.shared.addToTree(ObjectHeap.ListEntry(object: objects[0], nodeOffset: 8),
                                                                   root: rootAddress, less: { _ in true }) else {
                Issue.record("added twice")
                return
            }
            // Each added before the earlier ones: the last is first.
            #expect(ObjectHeap.shared.inTree(rootAddress) { $0.first }?.object == objects[2])
            ObjectHeap.shared.dropLists(in: base, roots: [root])
            for object in objects { #expect(ObjectHeap.shared.object(at: object) == nil) }
            #expect(ObjectHeap.shared.inTree(rootAddress) { $0.first } == nil)
        }
    }
}
