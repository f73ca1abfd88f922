import BPFCore
import BPFMaps
import BPFVM
import Glibc
import Synchronization

/// bpf_get_current_task_btf (158), bpf_task_storage_get (156), bpf_task_storage_delete (157):
/// task-local storage of the task that runs the program, the caller in a test-run. The results
/// are the kernel's (corpus/maps/task_storage.tcx): get gives the storage, NULL for a NULL task,
/// for flags other than 0 and BPF_LOCAL_STORAGE_GET_F_CREATE, or when there is none and it may
/// not create one; delete 0 or -ENOENT.
///
/// The task pointer is the thread's kernel-shaped image (`KernelTaskImages`): zeros but for
/// the walk to its cgroup (`task->cgroups->dfl_cgrp`, for the cgroup storage helpers). The
/// verifier types it as the kernel's `task_struct` (BTFReturnPrototypes), so reads through it
/// are probe loads: every other field reads 0 rather than made-up bytes. Without a target BTF
/// to lay the image out, the pointer is a handle (a tag and the thread id) naming no memory.
enum TaskStorageHelpers {
    static let tag: UInt64 = 0x00ba_d7a5_0000_0000

    static func register(_ table: inout HelperTable) {
        table.register(158, name: "get_current_task_btf", currentTask)
        table.register(156, name: "task_storage_get", get)
        table.register(157, name: "task_storage_delete", delete)
    }

    /// The calling thread's task image, readable by the run; the thread's storage and image go
    /// when it exits.
    static func currentTask(_ call: inout HelperCall) -> UInt64 {
        TaskExit.watch()
        let thread = UInt64(UInt32(bitPattern: ProcessIdentity.threadID()))
        guard let image = KernelTaskImages.task(ofThread: thread) else { return tag | thread }
        let run = TCRun.from(call)
        for region in image.regions { run.grant(region) }
        return image.address
    }

    private static func storageMap(_ call: inout HelperCall) -> TaskStorageMap? {
        guard let storage: TaskStorageMap = LocalStorageValue.map(&call, kind: "task_storage") else { return nil }
        TaskExit.remember(storage)
        return storage
    }

    /// The task r2 names (its thread id); a value that is no task image or handle is refused,
    /// as the verifier takes only task pointers there.
    private static func task(_ call: inout HelperCall) -> UInt64? {
        if let thread = KernelTaskImages.thread(ofTask: call.r2) { return thread }
        guard call.r2 & 0xffff_ffff_0000_0000 == tag else {
            call.failure = "r2 is not a task pointer"
            return nil
        }
        return call.r2 & 0xffff_ffff
    }

    static func get(_ call: inout HelperCall) -> UInt64 {
        guard let map = storageMap(&call) else { return 0 }
        if call.r2 == 0 { return 0 }
        guard let owner = task(&call) else { return 0 }
        return LocalStorageValue.ownerGet(&call, map: map, owner: owner, what: "task_storage start value")
    }

    static func delete(_ call: inout HelperCall) -> UInt64 {
        guard let map = storageMap(&call), let owner = task(&call) else { return 0 }
        return map.remove(owner: owner) ? 0 : failed(.ENOENT)
    }
}

/// Frees a thread's task storage when the thread exits, as the kernel frees a task's storage
/// with the task (a thread id reused later must not find it).
enum TaskExit {
    /// Task storage maps programs used (weakly held), and the pthread key whose destructor
    /// runs at thread exit.
    private static let state = Mutex<(maps: [WeakMap], key: pthread_key_t?)>(([], nil))

    struct WeakMap: @unchecked Sendable { weak var map: TaskStorageMap? }

    static func remember(_ map: TaskStorageMap) {
        state.withLock { state in
            state.maps.removeAll { $0.map == nil }
            if !state.maps.contains(where: { $0.map === map }) { state.maps.append(WeakMap(map: map)) }
        }
    }

    /// Arms the calling thread's exit destructor once.
    static func watch() {
        let key = state.withLock { state -> pthread_key_t? in
            if let key = state.key { return key }
            var key = pthread_key_t()
            guard pthread_key_create(&key, { _ in TaskExit.threadExited() }) == 0 else { return nil }
            state.key = key
            return key
        }
        guard let key, pthread_getspecific(key) == nil else { return }
        // Any non-nil value: the destructor runs only for threads that set one.
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    private static func threadExited() {
        let owner = UInt64(UInt32(bitPattern: ProcessIdentity.threadID()))
        let maps = state.withLock { $0.maps.compactMap(\.map) }
        for map in maps { map.release(owner: owner) }
        KernelTaskImages.threadExited(owner)
    }
}
