import BPFCore
import BPFMaps
import BPFVM

/// `bpf_wq_init` and `bpf_wq_start` with Linux 6.18's answers to a tc program (measured:
/// corpus/maps/wq.tcx). A workqueue is kept beside its map value as a timer is (`MapTimers`),
/// freed when the value is overwritten or deleted, so it can be initialised again then.
/// The kernel refuses `bpf_wq_set_callback_impl` to tc programs (its callback is sleepable,
/// a tc program is not: WorkqueuePrototypes), so no tc workqueue ever has a callback and
/// every start is EINVAL: nothing is ever queued, and no callback runs.
enum WorkqueueKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.wqInit, initialize)
        table.register(.wqStart, start)
        table.register(.wqSetCallback) { call in
            call.failure = "bpf_wq_set_callback_impl: the verifier refuses it to tc programs (a sleepable callback)"
            return 0
        }
    }

    /// init(wq, map, flags): flags first (EINVAL), then EBUSY for an initialised workqueue,
    /// EPERM when no userspace reference to the map is left, as __bpf_async_init.
    static func initialize(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapRegistry.shared.map(call.r2) else {
            call.failure = "wq_init: r2 is not a map"
            return 0
        }
        guard let value = FieldValue.value(&call, field: call.r1, at: map.spec.workqueueOffset, of: map, "bpf_wq") else {
            return 0
        }
        // `unsigned int flags`: the register's upper half is not the kfunc's.
        guard UInt32(truncatingIfNeeded: call.r3) == 0 else { return failed(.EINVAL) }
        guard let table = MapTimers.of(map) else {
            call.failure = "wq_init: map \(map.spec.name) keeps other fields beside its values"
            return 0
        }
        let key = UInt(bitPattern: value)
        return TimerWheel.shared.locked { () -> UInt64 in
            if table.workqueues.contains(key) { return failed(.EBUSY) }
            if table.userReleased { return failed(.EPERM) }
            table.workqueues.insert(key)
            return 0
        }
    }

    /// start(wq, flags): EINVAL for flags, and EINVAL for a workqueue without a callback,
    /// initialised or not: on a tc program's, always.
    static func start(_ call: inout HelperCall) -> UInt64 {
        guard call.memory(at: call.r1, count: 16, write: true, "bpf_wq") != nil else { return 0 }
        return failed(.EINVAL)
    }
}
