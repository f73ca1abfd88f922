import BPFCore
import BPFVM

/// bpf_find_vma (180): the area of a task's memory map holding an address, handed to a
/// callback (task, vma, ctx) once; 0 then, EINVAL for flags other than 0, ENOENT when no area
/// holds the address (the callback does not run). The callback's answer changes nothing.
///
/// A task is a thread of this process (`KernelTaskImages`); they share one memory map, read
/// from /proc/self/maps (`ProcessMemoryMap`), and the vma is a kernel-shaped image of its line
/// (`KernelMemoryImages`). Memory the run itself may read (its stack, the packet, the context,
/// map values, the images) is kernel memory to the program on the kernel, in no task's map:
/// ENOENT here too. Measured on Linux 6.18 (corpus/kfunc/find_vma.tcx): the test-run's task
/// finds its start_stack in a read-write grows-down area, its code in a read-exec one, whose
/// vm_mm is its mm; 0, kernel addresses, the program's stack and flags 1 do not.
enum FindVMAHelper {
    static func register(_ table: inout HelperTable) {
        table.register(180, name: "find_vma", findVMA)
    }

    static func findVMA(_ call: inout HelperCall) -> UInt64 {
        guard call.r5 == 0 else { return failed(.EINVAL) }
        // The verifier takes only task pointers: an image, or a handle without a target BTF.
        guard KernelTaskImages.thread(ofTask: call.r1) != nil
            || call.r1 & 0xffff_ffff_0000_0000 == TaskStorageHelpers.tag else {
            call.failure = "r1 is not a task pointer"
            return 0
        }
        let address = call.r2
        if call.bytes(at: address, count: 1, write: false) != nil { return failed(.ENOENT) }
        guard let area = ProcessMemoryMap.area(containing: address) else { return failed(.ENOENT) }
        let thread = UInt64(UInt32(bitPattern: ProcessIdentity.threadID()))
        guard let image = KernelMemoryImages.vma(area, thread: thread) else {
            call.failure = "no target BTF to lay out a struct vm_area_struct"
            return 0
        }
        let run = TCRun.from(call)
        for region in image.regions { run.grant(region) }
        // A fault in the callback stops the program; its answer is not the helper's.
        _ = call.callFunction(call.r3, call.r1, image.address, call.r4)
        return 0
    }
}
