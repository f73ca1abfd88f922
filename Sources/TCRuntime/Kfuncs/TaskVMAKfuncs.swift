import BPFCore
import BPFVM

/// The task vma iterator (`bpf_iter_task_vma_new/next/destroy`): the areas of a task's memory
/// map in address order, from the one holding (or first after) an address. The task is a
/// thread of this process, whose map is /proc/self/maps (`ProcessMemoryMap`); each area is
/// handed out as `bpf_find_vma` hands its one, the thread's vma image (`KernelMemoryImages`).
///
/// The iterator's 8 stack bytes hold where the next search starts: before the first step the
/// address `new` was given, marked `fresh` (the first area is the one holding it, else the
/// next); then the end of the area last given, and the next area is the first starting at or
/// after it; all ones once none is left. So an iterator needs no memory of its own, and a map
/// that changes between steps (another thread maps or grows an area) still comes in order,
/// without overlap: an area that grew back over the last end is passed over, as it would be in
/// a walk under the kernel's lock that began before it grew. The kernel holds the mm's lock
/// from new to destroy and each area has its own vm_area_struct; here each step re-reads the
/// map, and the image shows the area last given.
enum TaskVMAKfuncs {
    /// What the iterator holds when no area is left.
    static let drained = UInt64.max
    /// Marks the address `new` was given: the first step looks for the area holding it.
    static let fresh: UInt64 = 1 << 63

    static func register(_ table: inout KfuncTable) {
        table.register(.iterTaskVMANew, new)
        table.register(.iterTaskVMANext, next)
        table.register(.iterTaskVMADestroy) { call in
            guard let slot = call.memory(at: call.r1, count: 8, write: true, "task vma iterator") else { return 0 }
            slot.storeBytes(of: drained, as: UInt64.self)
            return 0
        }
    }

    /// new(it, task, addr): 0, the walk starting at addr.
    static func new(_ call: inout HelperCall) -> UInt64 {
        guard let slot = call.memory(at: call.r1, count: 8, write: true, "task vma iterator") else { return 0 }
        slot.storeBytes(of: drained, as: UInt64.self)
        // The verifier takes only task pointers: an image, or a handle without a target BTF.
        guard KernelTaskImages.thread(ofTask: call.r2) != nil
            || call.r2 & 0xffff_ffff_0000_0000 == TaskStorageHelpers.tag else {
            call.failure = "r2 is not a task pointer"
            return 0
        }
        // A kernel address (bit 63 set) has no area after it in a process's map: drained.
        slot.storeBytes(of: call.r3 & fresh == 0 ? call.r3 | fresh : drained, as: UInt64.self)
        return 0
    }

    /// The next area, NULL when none is left.
    static func next(_ call: inout HelperCall) -> UInt64 {
        guard let slot = call.memory(at: call.r1, count: 8, write: true, "task vma iterator") else { return 0 }
        let from = slot.loadUnaligned(as: UInt64.self)  // a forged iterator may sit anywhere
        let found = from == drained ? nil
            : from & fresh != 0 ? ProcessMemoryMap.firstArea(endingAfter: from & ~fresh)
            : ProcessMemoryMap.firstArea(startingFrom: from)
        guard let area = found else {
            slot.storeBytes(of: drained, as: UInt64.self)
            return 0
        }
        let thread = UInt64(UInt32(bitPattern: ProcessIdentity.threadID()))
        guard let image = KernelMemoryImages.vma(area, thread: thread) else {
            call.failure = "no target BTF to lay out a struct vm_area_struct"
            return 0
        }
        // An end with bit 63 set (the [vsyscall] page, the highest area) leaves nothing after it.
        slot.storeBytes(of: area.end & fresh == 0 ? area.end : drained, as: UInt64.self)
        let run = TCRun.from(call)
        for region in image.regions { run.grant(region) }
        return image.address
    }
}
