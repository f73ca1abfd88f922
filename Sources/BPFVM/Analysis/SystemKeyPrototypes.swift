import BPFCore

/// The key kfuncs Linux 6.18 gives tc programs, as kernel/trace/bpf_trace.c flags them
/// (measured in Tests/Fixtures/corpus/kfunc/system_key.c): `bpf_lookup_system_key(id)` gives a
/// `struct bpf_key` the program holds, NULL for an id past the system keyrings (KF_ACQUIRE |
/// KF_RET_NULL); `bpf_key_put(bkey)` drops one it holds (KF_RELEASE). The handle is a BTF
/// pointer: read only, within the struct; one never put is a leak at exit.
enum SystemKeyPrototypes {
    static let key = "bpf_key"

    /// Handles `kfunc` when it is one of these; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        let result: AbstractValue
        switch kfunc {
        case .lookupSystemKey:
            if r[1].isKnownPointer || r[1].kind == .notInit {
                throw VMError(instruction: index, "R1 is not a scalar")
            }
            result = try KernelReferences.acquire(key, by: kfunc, at: index, &state, setup: setup)
        case .keyPut:
            try KernelReferences.checkArgument(r[1], expected: key, kfunc: kfunc, releases: true, at: index)
            PathHelpers.release(r[1], &state)
            result = .notInit
        default:
            return false
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }
}
