import BPFCore

/// `bpf_kfunc_call_test_release` and `bpf_kfunc_call_memb_release`: net/bpf/test_run.c gives tc
/// programs these releases (KF_RELEASE) of the kernel's test structs `prog_test_ref_kfunc` and
/// `prog_test_member`, whose referenced kptr fields they are the destructors of. Nothing in
/// vmlinux acquires one (the acquiring kfuncs live in the bpf_testmod module), so a program
/// only ever releases what `bpf_kptr_xchg` took out of such a field: NULL at run time here, as
/// in the kernel when no module filled it. The verifier's rules are those of any release
/// (`KernelReferences.checkArgument`; corpus/kfunc/test_releases.c).
enum TestStructReleases {
    static let reference = "prog_test_ref_kfunc", member = "prog_test_member"

    /// Handles `kfunc` when it is one of these; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> Bool {
        let structure: String
        switch kfunc {
        case .testRefRelease: structure = reference
        case .testMemberRelease: structure = member
        default: return false
        }
        try KernelReferences.checkArgument(state.registers[1], expected: structure, kfunc: kfunc, releases: true, at: index)
        PathHelpers.release(state.registers[1], &state)
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = .notInit
        return true
    }
}
