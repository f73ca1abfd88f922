import BPFCore

/// `__bpf_trap`, the kfunc LLVM 21 calls where `__builtin_trap()` or code it proves unreachable
/// would run (often a use of an uninitialised variable). Linux 6.16+ has it in its BTF, so
/// libbpf resolves the call and the program loads while no path reaches it; a path that does is
/// refused with EFAULT, for every program type (measured on Linux 6.18:
/// `Tests/Fixtures/corpus/kfunc/bpf_trap.tcx`).
enum TrapKfunc {
    static func refuse(at index: Int) throws(VMError) {
        throw VMError(instruction: index, "unexpected __bpf_trap() due to uninitialized variable?", errno: .EFAULT)
    }

    /// Without the path analysis (program types whose rules are not known here) no path can be
    /// proved to miss the call, and every instruction is on some path of the control flow, so a
    /// call anywhere is refused, as the kernel refuses a path that reaches it. A call the kernel
    /// proves dead is refused here too: a refusal of a program the kernel loads, never a load it
    /// refuses. (XDP is analysed: `Tests/Fixtures/corpus/kfunc/bpf_trap_xdp.tcx`.)
    static func refuseUnanalysed(_ op: Operation, at index: Int) throws(VMError) {
        if case .call(.helper(let id)) = op, KfuncTable.kfunc(helper: id) == .bpfTrap {
            try refuse(at: index)
        }
    }
}
