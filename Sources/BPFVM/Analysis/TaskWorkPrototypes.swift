import BPFCore

/// `bpf_task_work_schedule_{resume,signal}_impl(task, tw, map__map, callback, aux__prog)` as
/// Linux 6.18 checks them for tc (measured in Tests/Fixtures/corpus/kfunc/task_work.c): the
/// task first (KF_TRUSTED_ARGS: never NULL, EACCES), then the callback, which is sleepable in a
/// program that is not: every path that reaches a call is refused, EPERM, so no tc program
/// ever schedules task work. A call no path reaches loads. The `bpf_task_work` map field's own
/// checks, which come between the two in the kernel, are not modelled.
enum TaskWorkPrototypes {
    static func call(_ kfunc: EmbeddedKfunc, at index: Int, _ state: inout PathState) throws(VMError) -> Bool {
        guard kfunc == .taskWorkScheduleResume || kfunc == .taskWorkScheduleSignal else { return false }
        try KernelReferences.checkArgument(state.registers[1], expected: TaskCgroupPrototypes.task, kfunc: kfunc, releases: false,
                                           at: index)
        throw VMError(instruction: index, "sleepable callback in a program that is not sleepable", errno: .EPERM)
    }
}
