import BPFCore
import BPFVM
import Glibc

/// The task iterator (`bpf_iter_task_new/next/destroy`). The kernel walks the machine's tasks:
/// every process (BPF_TASK_ITER_ALL_PROCS, from init_task), every thread (ALL_THREADS), or the
/// threads of the given task's process from that task on (PROC_THREADS). The embedded backend's
/// system is this process, so it walks its leader, its threads (in /proc/self/task order, the
/// kernel's thread-list order), or its threads from the given one on. A program whose answer
/// depends on other processes' tasks cannot agree with the kernel; one that looks for its own
/// thread or process, or checks what each task walked is, does (corpus/kfunc/task_iter.tcx).
///
/// The iterator's 24 stack bytes hold the flags and the thread to give next (0: none left); each
/// step finds the one after it in /proc/self/task again, so a thread that exited ends the walk.
/// A task given is its thread's image (`KernelTaskImages`), as `bpf_task_from_pid` gives.
enum TaskIteratorKfuncs {
    static let allProcesses: UInt64 = 0, allThreads: UInt64 = 1, processThreads: UInt64 = 2
    private static let flagsOffset = 0, nextOffset = 8

    static func register(_ table: inout KfuncTable) {
        table.register(.iterTaskNew, new)
        table.register(.iterTaskNext, next)
        table.register(.iterTaskDestroy) { call in
            guard let block = call.memory(at: call.r1, count: 24, write: true, "task iterator") else { return 0 }
            block.storeBytes(of: 0, toByteOffset: nextOffset, as: UInt64.self)
            return 0
        }
    }

    /// new(it, task__nullable, flags): 0; EINVAL for flags past PROC_THREADS, and for
    /// PROC_THREADS without a task. The walk is empty after an error.
    static func new(_ call: inout HelperCall) -> UInt64 {
        guard let block = call.memory(at: call.r1, count: 24, write: true, "task iterator") else { return 0 }
        block.initializeMemory(as: UInt8.self, repeating: 0)
        let flags = UInt64(UInt32(truncatingIfNeeded: call.r3))
        guard flags <= processThreads else { return failed(.EINVAL) }
        var first = UInt64(UInt32(bitPattern: getpid()))
        if flags == processThreads {
            guard call.r2 != 0 else { return failed(.EINVAL) }
            // The verifier takes only task pointers: an image, or a handle without a target BTF.
            if let thread = KernelTaskImages.thread(ofTask: call.r2) {
                first = thread
            } else if call.r2 & 0xffff_ffff_0000_0000 == TaskStorageHelpers.tag {
                first = call.r2 & 0xffff_ffff
            } else {
                call.failure = "r2 is not a task pointer"
                return 0
            }
        }
        block.storeBytes(of: flags, toByteOffset: flagsOffset, as: UInt64.self)
        block.storeBytes(of: first, toByteOffset: nextOffset, as: UInt64.self)
        return 0
    }

    /// The next task as its image, readable by the run; NULL when none is left.
    static func next(_ call: inout HelperCall) -> UInt64 {
        guard let block = call.memory(at: call.r1, count: 24, write: true, "task iterator") else { return 0 }
        let thread = block.loadUnaligned(fromByteOffset: nextOffset, as: UInt64.self)  // a forged iterator may sit anywhere
        guard thread != 0 else { return 0 }
        let flags = block.loadUnaligned(fromByteOffset: flagsOffset, as: UInt64.self)
        // A process is its leader alone; threads go on in the thread list.
        let after = flags == allProcesses ? 0 : threadAfter(thread)
        block.storeBytes(of: after, toByteOffset: nextOffset, as: UInt64.self)
        let found = TaskCgroupKfuncs.task(pid: Int32(truncatingIfNeeded: thread))
        guard found != 0 else {
            block.storeBytes(of: 0, toByteOffset: nextOffset, as: UInt64.self)
            return 0
        }
        guard let image = KernelTaskImages.task(ofThread: thread) else { return found }
        let run = TCRun.from(call)
        for region in image.regions { run.grant(region) }
        return image.address
    }

    /// The thread after `thread` in /proc/self/task, 0 when it is the last or is gone.
    static func threadAfter(_ thread: UInt64) -> UInt64 {
        let threads = threadIDs()
        guard let at = threads.firstIndex(of: thread), at + 1 < threads.count else { return 0 }
        return threads[at + 1]
    }

    /// This process's threads in thread-list order (the directory's order), at most 65,536.
    static func threadIDs() -> [UInt64] {
        guard let directory = opendir("/proc/self/task") else { return [] }
        defer { closedir(directory) }
        var threads: [UInt64] = []
        while threads.count < 1 << 16, let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let id = UInt64(name), id > 0 { threads.append(id) }
        }
        return threads
    }
}
