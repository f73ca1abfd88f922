import BPFCore
import BPFMaps
import BPFVM

/// bpf_per_cpu_ptr (153) and bpf_this_cpu_ptr (154): on a per-CPU object the program allocated
/// (`PerCPUObjectKfuncs`), a CPU's copy; bpf_per_cpu_ptr answers NULL past the last possible CPU,
/// and bpf_this_cpu_ptr gives the running CPU's (a test-run's is CPU 0). The kernel's other use,
/// a per-CPU kernel variable (a `__ksym` per-CPU symbol), no program here can name, so a call on
/// anything but an object stops the program.
enum PerCPUPointerHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(153, name: "per_cpu_ptr") { call in copy(of: call.r1, cpu: call.r2, &call) }
        table.register(154, name: "this_cpu_ptr") { call in
            let cpu = UInt64(TCRun.borrowKeepingImage(call) { $0.processorID() }) % UInt64(max(1, PossibleCPUList.count))
            return copy(of: call.r1, cpu: cpu, &call)
        }
    }

    private static func copy(of object: UInt64, cpu: UInt64, _ call: inout HelperCall) -> UInt64 {
        guard ObjectHeap.shared.isPerCPU(object) else {
            call.failure = "per-CPU kernel variables are not available here"
            return 0
        }
        guard let copy = ObjectHeap.shared.perCPUCopy(of: object, cpu: cpu) else { return 0 }
        // Checked inline until the next helper call only: after it (a drop may have freed the
        // object) each access asks the heap whether the object is still alive.
        let region = MemoryRegion(copy, writable: true)
        call.granted = region
        return region.base
    }
}
