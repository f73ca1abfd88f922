import BPFCore
import BPFMaps
import BPFVM

/// `bpf_percpu_obj_new_impl` and `bpf_percpu_obj_drop_impl` at run time: one zeroed copy of the
/// struct per possible CPU, on the shared `ObjectHeap` (the kernel's bpf_global_percpu_ma). The
/// program holds the object's address, which the verifier lets it pass only to the per-CPU
/// pointer helpers (`PerCPUPointerHelpers`), `bpf_kptr_xchg` and the drop.
enum PerCPUObjectKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.percpuObjectNew, new)
        table.register(.percpuObjectDrop) { call in
            // Freed when the run ends (it stays among the run's held objects), not now: the
            // kernel frees it after an RCU grace period, and a copy the program reached before
            // the drop stays usable for the rest of the run (measured: percpu_objects.tcx).
            let held = TCRun.borrow(call) { $0.heldObjects.contains(call.r1) }
            guard held else { return ObjectKfuncs.notHeld(&call) }
            return 0
        }
    }

    static func new(_ call: inout HelperCall) -> UInt64 {
        let typeID = UInt32(truncatingIfNeeded: call.r1)
        guard let size = TCRun.borrow(call, { $0.programMaps?.objectSize(typeID) }),
              let object = ObjectHeap.shared.allocatePerCPU(size: size, copies: PossibleCPUList.count) else { return 0 }
        // A reference the run holds until it drops or stashes it; no memory is granted, since no
        // load or store goes through the object's own pointer.
        TCRun.borrow(call) { $0.heldObjects.append(object) }
        return object
    }
}
