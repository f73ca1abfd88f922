import BPFCore
import BPFVM

/// `__bpf_trap` is in the table so that a program calling it on a path the verifier proves
/// dead loads, as on the kernel; a path that reaches it is refused (`TrapKfunc`), so the
/// function never runs.
enum TrapKfuncs {
    static func register(_ table: inout KfuncTable) {
        table.register(.bpfTrap) { _ in 0 }
    }
}
