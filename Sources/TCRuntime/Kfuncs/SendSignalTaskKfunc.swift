import BPFCore
import BPFVM
import CBPFSys

/// `bpf_send_signal_task(task, sig, type, value)`: a signal to a task (PIDTYPE_PID, 0) or its
/// process (PIDTYPE_TGID, 1), with `value` as its si_value. Measured on Linux 6.18
/// (corpus/kfunc/send_signal_task.c) from a test-run, which runs in the calling task: any
/// other type is EINVAL (before the signal), signals past 64 and negative ones EINVAL, 0 sends
/// nothing and answers 0. Here tasks are this process's threads (`KernelTaskImages`), so the
/// signal goes to this process or one of its threads, queued with the kernel's siginfo
/// (`cbpfsys_queue_own_signal`; to the process from a thread other than the main one, with
/// sigqueue's si_code, which is all Linux lets a thread send there), as the kernel signals
/// the test-run's caller.
enum SendSignalTaskKfunc {
    static let pidType: UInt32 = 0, tgidType: UInt32 = 1

    static func register(_ table: inout KfuncTable) {
        table.register(.sendSignalTask, send)
        for kfunc in [EmbeddedKfunc.taskWorkScheduleResume, .taskWorkScheduleSignal] {
            table.register(kfunc) { call in
                call.failure = "\(kfunc.name): the verifier refuses it to tc programs (a sleepable callback)"
                return 0
            }
        }
    }

    static func send(_ call: inout HelperCall) -> UInt64 {
        let type = UInt32(truncatingIfNeeded: call.r3)
        guard type == pidType || type == tgidType else { return failed(.EINVAL) }
        let signal = UInt32(truncatingIfNeeded: call.r2)
        guard signal <= SignalHelpers.lastSignal else { return failed(.EINVAL) }
        guard let thread = thread(of: call.r1) else { return failed(.ESRCH) }
        guard signal != 0 else { return 0 }
        let sent = cbpfsys_queue_own_signal(Int32(truncatingIfNeeded: thread), Int32(signal), call.r4, type == pidType ? 1 : 0)
        return sent == 0 ? 0 : failed(.EPERM)
    }

    /// The thread id a task image or handle names.
    static func thread(of task: UInt64) -> UInt64? {
        if let thread = KernelTaskImages.thread(ofTask: task) { return thread & 0xffff_ffff }
        return task & 0xffff_ffff_0000_0000 == TaskStorageHelpers.tag ? task & 0xffff_ffff : nil
    }
}
