import BPFCore

/// The task and cgroup kfuncs Linux 6.18 gives tc programs, checked as kernel/bpf/helpers.c
/// flags them (measured in Tests/Fixtures/corpus/kfunc/task_cgroup.c): `bpf_task_from_pid` and
/// `bpf_cgroup_from_id` find one and hold a reference to it, NULL when none has that pid or id
/// (KF_ACQUIRE | KF_RET_NULL); `bpf_task_acquire`/`bpf_cgroup_acquire` take another reference
/// to one the program may use (KF_ACQUIRE | KF_RCU | KF_RET_NULL); `bpf_task_release`/
/// `bpf_cgroup_release` drop one the program holds (KF_RELEASE).
enum TaskCgroupPrototypes {
    static let task = "task_struct", cgroup = "cgroup"

    /// Handles `kfunc` when it is one of these; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        let result: AbstractValue
        switch kfunc {
        case .taskFromPid:
            result = try KernelReferences.acquire(task, by: kfunc, at: index, &state, setup: setup)
        case .cgroupFromID:
            result = try KernelReferences.acquire(cgroup, by: kfunc, at: index, &state, setup: setup)
        case .taskAcquire, .cgroupAcquire:
            let structure = kfunc == .taskAcquire ? task : cgroup
            try checkObject(r[1], expected: structure, kfunc: kfunc, releases: false, at: index)
            result = try KernelReferences.acquire(structure, by: kfunc, at: index, &state, setup: setup)
        case .taskRelease, .cgroupRelease:
            try checkObject(r[1], expected: kfunc == .taskRelease ? task : cgroup, kfunc: kfunc, releases: true, at: index)
            PathHelpers.release(r[1], &state)
            result = .notInit
        default:
            return false
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }

    /// Argument 0 of acquire and release, in the kernel's order (check_kfunc_args): never NULL
    /// (EACCES), a pointer to the struct the kfunc takes, one the program may trust (acquire
    /// takes one read from an RCU field too, `RCUFields`), holding a reference when released,
    /// at the struct's start.
    private static func checkObject(_ value: AbstractValue, expected: String, kfunc: EmbeddedKfunc, releases: Bool,
                                    at index: Int) throws(VMError) {
        switch value.kind {
        case .unknown, .notInit:
            return
        case .scalar:
            try notNull(value, at: index)
            throw VMError(instruction: index, "arg#0 pointer type STRUCT \(expected) must point to scalar, or struct with scalar",
                          errno: .EINVAL)
        case .btf(let pointer):
            try notNull(value, at: index)
            guard pointer.name == expected else {
                throw VMError(instruction: index, "kernel function \(kfunc.name) args#0 expected pointer to STRUCT \(expected) "
                              + "but R1 has a pointer to STRUCT \(pointer.name)", errno: .EINVAL)
            }
            if releases, pointer.untrusted {
                throw VMError(instruction: index, "R1 must be referenced or trusted", errno: .EINVAL)
            }
            // KF_RCU: trusted (the running task, one held) or read from an RCU field.
            if !releases, pointer.untrusted || !(pointer.trusted || pointer.acquired || pointer.rcu) {
                throw VMError(instruction: index, "R1 must be a rcu pointer", errno: .EINVAL)
            }
            if releases, value.reference == 0 {
                throw VMError(instruction: index, "release kernel function \(kfunc.name) expects refcounted PTR_TO_BTF_ID",
                              errno: .EINVAL)
            }
            if value.offset != 0 || value.range.constant != 0 {
                throw VMError(instruction: index, "R1 must have zero offset when passed to release func or trusted arg to kfunc",
                              errno: .EINVAL)
            }
        default:
            throw VMError(instruction: index, "kernel function \(kfunc.name) args#0 expected pointer to STRUCT \(expected) "
                          + "but R1 has a pointer to \(value.typeName)", errno: .EINVAL)
        }
    }

    private static func notNull(_ value: AbstractValue, at index: Int) throws(VMError) {
        if value.isNullable || value.isScalar && value.range.constant == 0 {
            throw VMError(instruction: index, "Possibly NULL pointer passed to trusted arg0", errno: .EACCES)
        }
    }
}
