import BPFVM

/// bpf_task_pt_regs (175): the registers a task entered the kernel with. The embedded backend
/// has no registers of a task: a handle of the task (TaskStorageHelpers' tag and the thread id)
/// comes back, naming no memory, so every register read through it (a probe load) is 0.
enum TaskRegistersHelper {
    static func register(_ table: inout HelperTable) {
        table.register(175, name: "task_pt_regs") { call in
            TaskStorageHelpers.tag | (KernelTaskImages.thread(ofTask: call.r1) ?? call.r1 & 0xffff_ffff)
        }
    }
}
