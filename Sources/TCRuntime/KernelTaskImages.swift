import BPFCore
import BPFObject
import BPFVM
import Glibc
import Synchronization

/// Kernel-shaped images of the task that runs a program and of its cgroup, laid out by the
/// target BTF: what `bpf_get_current_task_btf` points at, so the walk a tc program makes to
/// reach a cgroup, `task->cgroups->dfl_cgrp`, reads real pointers (the kernel trusts it under
/// RCU) and ends at a cgroup the storage helpers know (`CgroupStorageHelpers`). The images
/// hold zeros except the members named here: every other field reads 0, as a probe load of a
/// handle naming no memory did before.
///
/// One image per thread (task storage is per thread), freed when the thread exits; one
/// css_set and one cgroup image for the process: its threads share the cgroup of
/// /proc/self/cgroup (`ProcessIdentity`). `pid` and `tgid` are the thread's and the process's
/// ids; `task->mm` (and `active_mm`) lead to the process's
/// mm image (`KernelMemoryImages`).
enum KernelTaskImages {
    /// Where the walked members lie; nil without a target BTF that has them all.
    struct Layout: Sendable {
        let taskSize: Int, cgroupsOffset: Int
        let cssSetSize: Int, defaultCgroupOffset: Int
        let cgroupSize: Int, levelOffset: Int?, kernfsOffset: Int?
        let kernfsSize: Int, kernfsIDOffset: Int?
        /// task_struct's pid and tgid: the thread's id and the process's.
        let pidOffset: Int?, tgidOffset: Int?

        init?(_ types: any KernelTypeCatalog) {
            func size(_ name: String) -> Int? {
                guard let id = types.structureID(named: name), let size = types.size(of: id), size > 0,
                      size <= 1 << 16 else { return nil }
                return size
            }
            /// A whole-byte member of `width` bytes inside the struct.
            func offset(_ member: String, of name: String, width: Int, in size: Int) -> Int? {
                guard let id = types.structureID(named: name), let found = types.member(member, of: id),
                      found.bitfieldSize == 0, found.bitOffset % 8 == 0, found.size == width,
                      found.bitOffset / 8 + width <= size else { return nil }
                return found.bitOffset / 8
            }
            guard let task = size("task_struct"), let cssSet = size("css_set"), let cgroup = size("cgroup"),
                  let kernfs = size("kernfs_node"),
                  let cgroups = offset("cgroups", of: "task_struct", width: 8, in: task),
                  let defaultCgroup = offset("dfl_cgrp", of: "css_set", width: 8, in: cssSet) else { return nil }
            taskSize = task
            cgroupsOffset = cgroups
            cssSetSize = cssSet
            defaultCgroupOffset = defaultCgroup
            cgroupSize = cgroup
            levelOffset = offset("level", of: "cgroup", width: 4, in: cgroup)
            kernfsOffset = offset("kn", of: "cgroup", width: 8, in: cgroup)
            kernfsSize = kernfs
            kernfsIDOffset = offset("id", of: "kernfs_node", width: 8, in: kernfs)
            pidOffset = offset("pid", of: "task_struct", width: 4, in: task)
            tgidOffset = offset("tgid", of: "task_struct", width: 4, in: task)
        }
    }

    static let layout: Layout? = KernelTypeTarget.load().flatMap { Layout($0) }

    /// Zeroed memory that lives as long as its owner (a thread, or the process).
    struct Block: @unchecked Sendable {
        let memory: UnsafeMutableRawBufferPointer
        init(_ size: Int) {
            memory = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
            memory.initializeMemory(as: UInt8.self, repeating: 0)
        }
        var address: UInt64 { UInt64(UInt(bitPattern: memory.baseAddress)) }
        func store(_ value: UInt64, at offset: Int?) {
            if let offset { memory.storeBytes(of: value, toByteOffset: offset, as: UInt64.self) }
        }
    }

    /// The process's cgroup: its css_set, the cgroup and the cgroup's kernfs node (whose id is
    /// the cgroup id), made once.
    private static let processCgroup: (cssSet: Block, cgroup: Block, kernfs: Block)? = layout.map { layout in
        let cssSet = Block(layout.cssSetSize), cgroup = Block(layout.cgroupSize), kernfs = Block(layout.kernfsSize)
        cssSet.store(cgroup.address, at: layout.defaultCgroupOffset)
        cgroup.store(kernfs.address, at: layout.kernfsOffset)
        if let level = layout.levelOffset {
            cgroup.memory.storeBytes(of: Int32(clamping: max(ProcessIdentity.cgroupLevels.count - 1, 0)),
                                     toByteOffset: level, as: Int32.self)
        }
        kernfs.store(ProcessIdentity.cgroupID, at: layout.kernfsIDOffset)
        return (cssSet, cgroup, kernfs)
    }

    /// Thread id → its task image, and image address → thread id.
    private static let tasks = Mutex<(byThread: [UInt64: Block], byAddress: [UInt64: UInt64])>(([:], [:]))

    /// The task image of thread `thread` (made on first use) and the regions a run reads
    /// through it; nil without a layout.
    static func task(ofThread thread: UInt64) -> (address: UInt64, regions: [MemoryRegion])? {
        guard let layout, let cgroup = processCgroup else { return nil }
        let image = tasks.withLock { tasks -> Block in
            if let image = tasks.byThread[thread] { return image }
            let image = Block(layout.taskSize)
            image.store(cgroup.cssSet.address, at: layout.cgroupsOffset)
            KernelMemoryImages.fill(task: image)
            if let pid = layout.pidOffset {
                image.memory.storeBytes(of: UInt32(truncatingIfNeeded: thread), toByteOffset: pid, as: UInt32.self)
            }
            if let tgid = layout.tgidOffset {
                image.memory.storeBytes(of: UInt32(bitPattern: getpid()), toByteOffset: tgid, as: UInt32.self)
            }
            tasks.byThread[thread] = image
            tasks.byAddress[image.address] = thread
            return image
        }
        // Read only: the verifier lets no program write a task, css_set or cgroup.
        let regions = [image, cgroup.cssSet, cgroup.cgroup, cgroup.kernfs].map { MemoryRegion($0.memory, writable: false) }
        return (image.address, regions + KernelMemoryImages.mmRegions)
    }

    /// The thread whose task image starts at `address`; nil for any other value.
    static func thread(ofTask address: UInt64) -> UInt64? {
        tasks.withLock { $0.byAddress[address] }
    }

    /// The cgroup id of the cgroup image at `address`, or of a cgroup handle
    /// (`TaskCgroupKfuncs.cgroupTag`, an ancestor `bpf_cgroup_from_id` found); nil for any
    /// other value.
    static func cgroupID(ofCgroup address: UInt64) -> UInt64? {
        if let cgroup = processCgroup, address == cgroup.cgroup.address { return ProcessIdentity.cgroupID }
        guard address & 0xffff_ffff_0000_0000 == TaskCgroupKfuncs.cgroupTag else { return nil }
        return address & 0xffff_ffff
    }

    /// The regions a run reads through `address` when it is a task image or the process's cgroup
    /// image (a pointer a program took back out of a kptr field); empty for anything else.
    static func regions(reachedFrom address: UInt64) -> [MemoryRegion] {
        if let thread = thread(ofTask: address), let image = task(ofThread: thread) { return image.regions }
        if let image = processCgroupImage(), image.address == address { return image.regions }
        return []
    }

    /// The process's cgroup image and the regions a run reads through it; nil without a layout.
    static func processCgroupImage() -> (address: UInt64, regions: [MemoryRegion])? {
        guard let cgroup = processCgroup else { return nil }
        return (cgroup.cgroup.address, [cgroup.cgroup, cgroup.kernfs].map { MemoryRegion($0.memory, writable: false) })
    }

    /// Frees the image of a thread that exited (no run of it can hold the pointer any more).
    static func threadExited(_ thread: UInt64) {
        let image = tasks.withLock { tasks -> Block? in
            guard let image = tasks.byThread.removeValue(forKey: thread) else { return nil }
            tasks.byAddress[image.address] = nil
            return image
        }
        image?.memory.deallocate()
        KernelMemoryImages.threadExited(thread)
    }
}
