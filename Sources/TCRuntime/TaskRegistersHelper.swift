import BPFVM

/// bpf_task_pt_regs (175): the registers a task entered the kernel with. The embedded backend
/// has no tasks (TaskStorageHelpers): the task handle itself comes back, naming no memory, so
/// every register read through it (a probe load) is 0.
enum TaskRegistersHelper {
    static func register(_ table: inout HelperTable) {
        table.register(175, name: "task_pt_regs") { call in call.r1 }
    }
}
