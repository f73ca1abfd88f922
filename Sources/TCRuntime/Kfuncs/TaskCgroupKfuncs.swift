import BPFCore
import BPFVM
import Glibc

/// `bpf_task_from_pid`, `bpf_cgroup_from_id` and their acquire and release at run time.
///
/// A task found is what `bpf_get_current_task_btf` gives its thread: the thread's kernel-shaped
/// image (`KernelTaskImages`), whose `cgroups->dfl_cgrp` leads to the process's cgroup image;
/// the process's own cgroup is that image, an ancestor a handle naming no memory (reads through
/// it are probe loads reading 0; cgroup storage takes both). Without a target BTF to lay the
/// images out, tasks and cgroups are handles. It knows the tasks and cgroups a test-run
/// runs in, nothing else of the host: a pid names a task when it is a thread of this process
/// (the kernel's test-run runs in the caller's task), an id a cgroup when it is on this
/// process's cgroup v2 path, the root (id 1) to its own. Any other pid or id finds nothing,
/// NULL, which the kernel also answers for a pid or id no task or cgroup has (KF_RET_NULL: a
/// program must handle it). Measured on Linux 6.18 (corpus/kfunc/task_cgroup.tcx): the
/// program's own pid and cgroup and the root cgroup are found, pid 0, negative pids, ids 0 and
/// past every cgroup are not. The kernel also finds the host's other tasks and cgroups, which
/// a test-run here cannot name.
enum TaskCgroupKfuncs {
    /// Cgroup handles: a tag, then the id (a cgroup's id is its kernfs inode number).
    static let cgroupTag: UInt64 = 0x00ba_dc60_0000_0000
    /// A task's cgroup in a cgroup v1 hierarchy: a tag, then the hierarchy id. It names no
    /// memory (its fields read 0), and no cgroup storage or ancestry takes it.
    static let cgroupV1Tag: UInt64 = 0x00ba_dc61_0000_0000

    /// The cgroup v1 hierarchies this process is in: the ids of the lines of /proc/self/cgroup
    /// other than the v2 one (0), read once (bounded).
    static let cgroupV1Hierarchies: Set<Int32> = {
        guard let text = ProcessIdentity.readSmallFile("/proc/self/cgroup", limit: 4096) else { return [] }
        var ids: Set<Int32> = []
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            guard let id = line.split(separator: ":", maxSplits: 1).first.flatMap({ Int32($0) }), id > 0 else { continue }
            ids.insert(id)
        }
        return ids
    }()

    static func register(_ table: inout KfuncTable) {
        table.register(.taskFromPid) { call in taskImage(pid: Int32(truncatingIfNeeded: call.r1), call) }
        // The test-run runs in the caller's pid namespace, where this process's pids are its own.
        table.register(.taskFromVpid) { call in taskImage(pid: Int32(truncatingIfNeeded: call.r1), call) }
        table.register(.cgroupAncestor) { call in
            guard let id = KernelTaskImages.cgroupID(ofCgroup: call.r1),
                  let depth = ProcessIdentity.cgroupLevels.firstIndex(of: id) else { return 0 }
            let level = Int32(truncatingIfNeeded: call.r2)
            guard level >= 0, Int(level) <= depth else { return 0 }
            return cgroupImage(id: ProcessIdentity.cgroupLevels[Int(level)], call)
        }
        table.register(.cgroupFromID) { call in cgroupImage(id: call.r1, call) }
        // Every task here is in this process's cgroup: under a cgroup on its v2 path, under no
        // other (a v1 cgroup is in another hierarchy: the kernel's cgroup_is_descendant is false).
        table.register(.taskUnderCgroup) { call in
            guard let id = KernelTaskImages.cgroupID(ofCgroup: call.r2) else { return 0 }
            return ProcessIdentity.cgroupLevels.contains(id) ? 1 : 0
        }
        table.register(.taskGetCgroup1) { call in
            let hierarchy = Int32(truncatingIfNeeded: call.r2)
            return cgroupV1Hierarchies.contains(hierarchy) ? cgroupV1Tag | UInt64(UInt32(bitPattern: hierarchy)) : 0
        }
        TaskVMAKfuncs.register(&table)
        TaskIteratorKfuncs.register(&table)
        // Another reference to a task or cgroup the program holds or trusts (the verifier
        // allows no other argument): the same one. Releasing a reference frees nothing here.
        table.register(.taskAcquire) { call in call.r1 }
        table.register(.cgroupAcquire) { call in call.r1 }
        table.register(.taskRelease) { _ in 0 }
        table.register(.cgroupRelease) { _ in 0 }
        // The test structs' releases: nothing here ever holds one (TestStructReleases).
        table.register(.testRefRelease) { _ in 0 }
        table.register(.testMemberRelease) { _ in 0 }
    }

    /// The task image of thread `pid` of this process, readable by the run; a handle without a
    /// layout; 0 when no thread has that pid.
    private static func taskImage(pid: Int32, _ call: HelperCall) -> UInt64 {
        let found = task(pid: pid)
        guard found != 0, let image = KernelTaskImages.task(ofThread: found & 0xffff_ffff) else { return found }
        for region in image.regions { TCRun.from(call).grant(region) }
        return image.address
    }

    /// The cgroup `id` names on this process's path: the process's own as its image, readable by
    /// the run, an ancestor as a handle; 0 for any other id.
    private static func cgroupImage(id: UInt64, _ call: HelperCall) -> UInt64 {
        let found = cgroup(id: id)
        guard found != 0, id == ProcessIdentity.cgroupID, let image = KernelTaskImages.processCgroupImage() else { return found }
        for region in image.regions { TCRun.from(call).grant(region) }
        return image.address
    }

    /// The handle of that thread (a tag and the thread id), or 0.
    static func task(pid: Int32) -> UInt64 {
        guard pid > 0 else { return 0 }
        var info = stat()
        guard stat("/proc/self/task/\(pid)", &info) == 0 else { return 0 }
        return TaskStorageHelpers.tag | UInt64(UInt32(bitPattern: pid))
    }

    static func cgroup(id: UInt64) -> UInt64 {
        guard id != 0, id <= UInt64(UInt32.max), ProcessIdentity.cgroupLevels.contains(id) else { return 0 }
        return cgroupTag | id
    }
}
