import BPFCore

/// The task and cgroup kfuncs Linux 6.18 gives tc programs, checked as kernel/bpf/helpers.c
/// flags them (measured in Tests/Fixtures/corpus/kfunc/task_cgroup.c): `bpf_task_from_pid` and
/// `bpf_cgroup_from_id` find one and hold a reference to it, NULL when none has that pid or id
/// (KF_ACQUIRE | KF_RET_NULL); `bpf_task_acquire`/`bpf_cgroup_acquire` take another reference
/// to one the program may use (KF_ACQUIRE | KF_RCU | KF_RET_NULL); `bpf_task_release`/
/// `bpf_cgroup_release` drop one the program holds (KF_RELEASE). `bpf_task_from_vpid` finds a
/// task as `bpf_task_from_pid` does, by its pid in the caller's namespace; `bpf_cgroup_ancestor`
/// takes a reference to a cgroup's ancestor at a level (KF_ACQUIRE | KF_RCU | KF_RET_NULL).
/// `bpf_task_under_cgroup(task, cgroup)` takes two the program may use and answers a number
/// (KF_RCU); `bpf_task_get_cgroup1(task, hierarchy)` takes a reference to the task's cgroup in
/// a cgroup v1 hierarchy (KF_ACQUIRE | KF_RCU | KF_RET_NULL). The task vma iterator is
/// `TaskVMAPrototypes`.
enum TaskCgroupPrototypes {
    static let task = "task_struct", cgroup = "cgroup"

    /// Handles `kfunc` when it is one of these; false for every other kfunc.
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState, setup: PathSetup) throws(VMError) -> Bool {
        let r = state.registers
        let result: AbstractValue
        switch kfunc {
        case .taskFromPid, .taskFromVpid:
            result = try KernelReferences.acquire(task, by: kfunc, at: index, &state, setup: setup)
        case .cgroupAncestor:
            // KF_ACQUIRE | KF_RCU | KF_RET_NULL: a cgroup the program may use, and a level.
            try KernelReferences.checkArgument(r[1], expected: cgroup, kfunc: kfunc, releases: false, at: index)
            result = try KernelReferences.acquire(cgroup, by: kfunc, at: index, &state, setup: setup)
        case .cgroupFromID:
            result = try KernelReferences.acquire(cgroup, by: kfunc, at: index, &state, setup: setup)
        case .taskUnderCgroup:
            try KernelReferences.checkArgument(r[1], expected: task, kfunc: kfunc, releases: false, at: index)
            try KernelReferences.checkArgument(r[2], expected: cgroup, kfunc: kfunc, releases: false, argument: 1, at: index)
            result = .scalar(.unknown)
        case .taskGetCgroup1:
            try KernelReferences.checkArgument(r[1], expected: task, kfunc: kfunc, releases: false, at: index)
            result = try KernelReferences.acquire(cgroup, by: kfunc, at: index, &state, setup: setup)
        case .taskAcquire, .cgroupAcquire:
            let structure = kfunc == .taskAcquire ? task : cgroup
            try KernelReferences.checkArgument(r[1], expected: structure, kfunc: kfunc, releases: false, at: index)
            result = try KernelReferences.acquire(structure, by: kfunc, at: index, &state, setup: setup)
        case .taskRelease, .cgroupRelease:
            try KernelReferences.checkArgument(r[1], expected: kfunc == .taskRelease ? task : cgroup, kfunc: kfunc, releases: true, at: index)
            PathHelpers.release(r[1], &state)
            result = .notInit
        default:
            return try TaskVMAPrototypes.call(kfunc, at: index, &state, setup: setup)
        }
        for register in 1 ... 5 { state.registers[register] = .notInit }
        state.registers[0] = result
        return true
    }
}
