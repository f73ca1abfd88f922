import BPFCore
import BPFMaps
import BPFVM

/// The rbtree kfuncs at run time, on the shared `ObjectHeap`: a `bpf_rb_root` (in a map value
/// the program holds, under its lock: the verifier checked both) keeps its objects between
/// runs in an `ObjectTree`, ordered by the program's `less` callback, which the add runs on
/// the caller's stack as bpf_loop runs its callback. Nodes are named by address; what first,
/// root, left and right give stays the tree's (a non-owning reference), what remove gives is
/// the run's.
enum RbtreeKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.rbtreeAdd, add)
        table.register(.rbtreeRemove) { call in
            guard let entry = ObjectHeap.shared.removeFromTree(node: call.r2, root: call.r1) else { return 0 }
            return GraphKfuncs.hand(entry, &call, owning: true)
        }
        table.register(.rbtreeFirst) { call in look(&call) { $0.first } }
        table.register(.rbtreeRoot) { call in look(&call) { $0.root } }
        table.register(.rbtreeLeft) { call in
            let node = call.r2
            return look(&call) { $0.left(of: node) }
        }
        table.register(.rbtreeRight) { call in
            let node = call.r2
            return look(&call) { $0.right(of: node) }
        }
    }

    /// add_impl(root, node, less, meta, off): 0; -EINVAL for a node already in a tree (its
    /// reference is dropped, as the kernel drops it). `less(new, old)` is asked with each node
    /// on the way down; the objects it compares are the run's to read while it runs.
    static func add(_ call: inout HelperCall) -> UInt64 {
        let less = call.r3
        guard let entry = ObjectHeap.shared.owner(ofNode: call.r2, offset: call.r5) else { return failed(.EINVAL) }
        let object = entry.object
        let outcome = ObjectHeap.shared.addToTree(entry, root: call.r1) { existing in
            guard let memory = ObjectHeap.shared.object(at: existing.object) else { return nil }
            let region = MemoryRegion(memory, writable: true)
            TCRun.borrow(call) { run in run.grant(region) }
            return call.callFunction(less, call.r2, existing.object &+ existing.nodeOffset).map { $0 != 0 }
        }
        switch outcome {
        case .added:
            ObjectKfuncs.handOn(object, call)
            return 0
        case .alreadyInTree:
            // Dropped, as the kernel drops it: only an object the run holds.
            if ObjectKfuncs.handOn(object, call) { ObjectHeap.shared.free(object) }
            return failed(.EINVAL)
        case .faulted:
            return 0  // the run stops with the callback's fault
        }
    }

    /// A non-owning look into the tree at r1.
    private static func look(_ call: inout HelperCall, _ pick: (ObjectTree) -> ObjectHeap.ListEntry?) -> UInt64 {
        guard let entry = ObjectHeap.shared.inTree(call.r1, pick) else { return 0 }
        return GraphKfuncs.hand(entry, &call, owning: false)
    }
}
