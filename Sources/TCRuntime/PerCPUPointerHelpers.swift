import BPFCore
import BPFVM

/// bpf_per_cpu_ptr (153) and bpf_this_cpu_ptr (154): offered to tc as the kernel offers them, so
/// a call is typed by their prototypes (a per-CPU kernel variable, EACCES for anything else). No
/// program here can name such a variable (a `__ksym` per-CPU symbol), so a call that loads, given
/// a value the analysis does not follow, stops the program.
enum PerCPUPointerHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(153, name: "per_cpu_ptr", unreachable)
        table.register(154, name: "this_cpu_ptr", unreachable)
    }

    static func unreachable(_ call: inout HelperCall) -> UInt64 {
        call.failure = "per-CPU kernel variables are not available here"
        return 0
    }
}
