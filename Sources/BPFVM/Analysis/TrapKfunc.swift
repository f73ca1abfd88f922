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
}
