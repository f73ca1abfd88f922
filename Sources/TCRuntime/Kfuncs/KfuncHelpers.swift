import BPFCore
import BPFVM

/// The kfuncs a tc program may call on the embedded backend (docs/tc-runtime.md lists them
/// beside the kernel's), installed into the tc helper table (see `KfuncTable`).
enum KfuncHelpers {
    static func register(_ table: inout HelperTable) {
        var kfuncs = KfuncTable()
        IteratorKfuncs.register(&kfuncs)
        BitsIteratorKfuncs.register(&kfuncs)
        DynptrKfuncs.register(&kfuncs)
        DynptrCopyKfuncs.register(&kfuncs)
        ProbeReadDynptrKfuncs.register(&kfuncs)
        StringKfuncs.register(&kfuncs)
        SKBMetaKfuncs.register(&kfuncs)
        StreamKfuncs.register(&kfuncs)
        BTFCastKfuncs.register(&kfuncs)
        ConntrackKfuncs.register(&kfuncs)
        ExceptionKfuncs.register(&kfuncs)
        ResLockKfuncs.register(&kfuncs)
        MapCountKfunc.register(&kfuncs)
        ObjectKfuncs.register(&kfuncs)
        PerCPUObjectKfuncs.register(&kfuncs)
        CryptoKfuncs.register(&kfuncs)
        GraphKfuncs.register(&kfuncs)
        RbtreeKfuncs.register(&kfuncs)
        TrapKfuncs.register(&kfuncs)
        WorkqueueKfuncs.register(&kfuncs)
        RequestSockKfunc.register(&kfuncs)
        TaskCgroupKfuncs.register(&kfuncs)
        SystemKeyKfuncs.register(&kfuncs)
        KmemCacheKfuncs.register(&kfuncs)
        CgroupXattrKfunc.register(&kfuncs)
        SendSignalTaskKfunc.register(&kfuncs)
        // The RCU read-side region only matters to the verifier, which checks it on every path.
        kfuncs.register(.rcuReadLock) { _ in 0 }
        kfuncs.register(.rcuReadUnlock) { _ in 0 }
        kfuncs.install(into: &table)
        ObjectKfuncs.registerHelpers(&table)
    }
}

/// The open-coded number iterator (`bpf_for`, `bpf_repeat`): 8 bytes on the program's stack,
/// the current value then the end, as the kernel's `bpf_iter_num_kern`.
enum IteratorKfuncs {
    /// The kernel's BPF_MAX_LOOPS.
    static let maxLoops: Int64 = 8 << 20

    static func register(_ table: inout KfuncTable) {
        table.register(.iterNumNew, new)
        table.register(.iterNumNext, next)
        table.register(.iterNumDestroy) { call in
            _ = store(&call, call.r1, current: 0, end: 0)
            return 0
        }
    }

    private static func state(_ call: inout HelperCall, _ address: UInt64) -> (current: Int32, end: Int32)? {
        guard let block = call.memory(at: address, count: 8, write: false, "number iterator") else { return nil }
        // Unaligned: the program may pass any address it can reach (an aligned load could trap).
        return (block.loadUnaligned(fromByteOffset: 0, as: Int32.self), block.loadUnaligned(fromByteOffset: 4, as: Int32.self))
    }

    private static func store(_ call: inout HelperCall, _ address: UInt64, current: Int32, end: Int32) -> Bool {
        guard let block = call.memory(at: address, count: 8, write: true, "number iterator") else { return false }
        block.storeBytes(of: current, toByteOffset: 0, as: Int32.self)
        block.storeBytes(of: end, toByteOffset: 4, as: Int32.self)
        return true
    }

    /// [start, end): EINVAL when start > end, E2BIG past BPF_MAX_LOOPS (both leave it empty).
    static func new(_ call: inout HelperCall) -> UInt64 {
        let start = Int32(truncatingIfNeeded: call.r2), end = Int32(truncatingIfNeeded: call.r3)
        if start > end {
            _ = store(&call, call.r1, current: 0, end: 0)
            return failed(.EINVAL)
        }
        if Int64(end) - Int64(start) > maxLoops {
            _ = store(&call, call.r1, current: 0, end: 0)
            return failed(.E2BIG)
        }
        // The first next() steps onto start.
        _ = store(&call, call.r1, current: start &- 1, end: end)
        return 0
    }

    /// A pointer to the next value inside the iterator, or NULL (and the iterator emptied) at the end.
    static func next(_ call: inout HelperCall) -> UInt64 {
        guard let (current, end) = state(&call, call.r1) else { return 0 }
        if Int64(current &+ 1) >= Int64(end) {
            _ = store(&call, call.r1, current: 0, end: 0)
            return 0
        }
        // Wrapping, as the check above: a forged current of INT_MAX passes it (it wraps to
        // INT_MIN there) and must not trap here.
        guard store(&call, call.r1, current: current &+ 1, end: end) else { return 0 }
        return call.r1
    }
}
