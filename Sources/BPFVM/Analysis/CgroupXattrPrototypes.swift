import BPFCore

/// `bpf_cgroup_read_xattr(cgroup, name__str, value_p)` as Linux 6.18 types it for tc
/// (measured in Tests/Fixtures/corpus/kfunc/cgroup_xattr.c), its arguments checked in order:
/// a cgroup the program may use (KF_RCU: never NULL, EACCES), a constant string in `.rodata`
/// ("doesn't point to a const string" for other memory, EINVAL), an initialised dynptr. It
/// answers an int.
enum CgroupXattrPrototypes {
    /// Handles `kfunc` when it is this one; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        guard kfunc == .cgroupReadXattr else { return false }
        let r = state.registers
        try KernelReferences.checkArgument(r[1], expected: TaskCgroupPrototypes.cgroup, kfunc: kfunc, releases: false, at: index)
        switch r[2].kind {
        case .mapValue:
            try HelperMapArguments.checkConstantString(r[2], register: 2, setup: setup, at: index)
        case .unknown:
            break
        default:
            throw VMError(instruction: index, "arg#1 doesn't point to a const string")
        }
        try DynptrReferences.requireConstantOffset(r[3], at: index)
        try DynptrSlots.require(r[3], argument: 2, at: index, state)
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = .scalar(.unknown)
        return true
    }
}
