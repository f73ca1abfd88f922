import BPFCore
import BPFMaps
import BPFVM

/// The list kfuncs at run time, on the shared `ObjectHeap`: a list head (in a map value the
/// program holds, under its lock: the verifier checked both) keeps its objects between runs;
/// a push takes an object by its node (`off` is the node's offset in it), a pop hands one
/// back by its node, granted to the run.
enum GraphKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.listPushFront) { call in push(&call, front: true) }
        table.register(.listPushBack) { call in push(&call, front: false) }
        table.register(.listPopFront) { call in pop(&call, front: true) }
        table.register(.listPopBack) { call in pop(&call, front: false) }
        table.register(.listFront) { call in peek(&call, front: true) }
        table.register(.listBack) { call in peek(&call, front: false) }
    }

    /// front/back(head): the node of the first or last object, left on the list; NULL when empty.
    static func peek(_ call: inout HelperCall, front: Bool) -> UInt64 {
        guard let entry = ObjectHeap.shared.peek(at: call.r1, front: front) else { return 0 }
        return hand(entry, &call, owning: false)
    }

    /// push_impl(head, node, meta, off): 0, or EINVAL for a node of no live object.
    static func push(_ call: inout HelperCall, front: Bool) -> UInt64 {
        guard let entry = ObjectHeap.shared.owner(ofNode: call.r2, offset: call.r4) else { return failed(.EINVAL) }
        ObjectKfuncs.handOn(entry.object, call)
        ObjectHeap.shared.push(entry.object, nodeOffset: entry.nodeOffset, onto: call.r1, front: front)
        return 0
    }

    /// pop(head): the node of the object taken off, or NULL for an empty list.
    static func pop(_ call: inout HelperCall, front: Bool) -> UInt64 {
        guard let entry = ObjectHeap.shared.pop(from: call.r1, front: front) else { return 0 }
        return hand(entry, &call, owning: true)
    }

    /// Grants the run the entry's object; its node's address is what the program gets.
    /// `owning`: a pop's object is the run's reference; a peek's stays the list's.
    static func hand(_ entry: ObjectHeap.ListEntry, _ call: inout HelperCall, owning: Bool) -> UInt64 {
        guard let memory = ObjectHeap.shared.object(at: entry.object) else { return 0 }
        let region = MemoryRegion(memory, writable: true)
        TCRun.borrow(call) { run in
            run.grant(region)
            if owning { run.heldObjects.append(entry.object) }
        }
        return entry.object &+ entry.nodeOffset
    }
}
