import BPFCore
import BPFMaps
import BPFVM

/// `bpf_obj_new_impl`, `bpf_obj_drop_impl` and `bpf_kptr_xchg` at run time, on the shared
/// `ObjectHeap`: zeroed memory of the size the program's BTF gives the type (the verifier has
/// checked the id names a struct no larger than the allocator's largest object), granted to
/// the run, freed by the drop or kept by a map value's kptr field between runs. The verifier
/// makes every path drop or stash what it holds.
enum ObjectKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.objectNew, new)
        table.register(.objectDrop) { call in
            guard handOn(call.r1, call) else { return notHeld(&call) }
            ObjectHeap.shared.free(call.r1)
            return 0
        }
        table.register(.refcountAcquire) { call in
            guard ObjectHeap.shared.acquire(call.r1), let object = ObjectHeap.shared.object(at: call.r1) else { return 0 }
            return hand(object, &call)
        }
    }

    /// bpf_kptr_xchg (194), a helper.
    static func registerHelpers(_ table: inout HelperTable) {
        table.register(194, name: "kptr_xchg", exchange)
    }

    static func new(_ call: inout HelperCall) -> UInt64 {
        let typeID = UInt32(truncatingIfNeeded: call.r1)
        guard let size = TCRun.borrow(call, { $0.programMaps?.objectSize(typeID) }),
              let object = ObjectHeap.shared.allocate(size: size) else { return 0 }
        return hand(object, &call)
    }

    /// The field (inside a map value the program holds: the verifier checked it) takes the
    /// program's object; the one it held is the program's now.
    static func exchange(_ call: inout HelperCall) -> UInt64 {
        guard let field = call.bytes(at: call.r1, count: Int(KptrField.size), write: true)?.baseAddress else { return 0 }
        let old = ObjectHeap.shared.exchange(field: field, object: call.r2)
        if call.r2 != 0 { handOn(call.r2, call) }
        guard old != 0 else { return 0 }
        if let object = ObjectHeap.shared.object(at: old) { return hand(object, &call) }
        // A kernel object the program stashed (a task or cgroup it holds a reference to): the
        // same pointer, readable as it was when found (KernelKptrFields).
        let regions = KernelTaskImages.regions(reachedFrom: old)
        if !regions.isEmpty { TCRun.borrow(call) { run in for region in regions { run.grant(region) } } }
        return old
    }

    /// Grants the run `object`, whose address the program now holds: a reference the run
    /// holds until it hands it on (`handOn`) or ends.
    private static func hand(_ object: UnsafeMutableRawBufferPointer, _ call: inout HelperCall) -> UInt64 {
        let region = MemoryRegion(object, writable: true)
        TCRun.borrow(call) { run in
            run.grant(region)
            run.heldObjects.append(region.base)
        }
        call.granted = region
        return region.base
    }

    /// The run gave its reference to `address` away (dropped, stashed, pushed); false when it
    /// held none.
    @discardableResult
    static func handOn(_ address: UInt64, _ call: HelperCall) -> Bool {
        TCRun.borrow(call) { run in
            guard let at = run.heldObjects.lastIndex(of: address) else { return false }
            run.heldObjects.remove(at: at)
            return true
        }
    }

    /// A drop of an object the run does not hold stops the program: the kernel's verifier lets
    /// a program drop only what it owns, and freeing by an address alone would free another
    /// run's object, or one a map's kptr field keeps, under its holder.
    static func notHeld(_ call: inout HelperCall) -> UInt64 {
        call.failure = "r1 is not an object this program holds"
        return 0
    }
}
