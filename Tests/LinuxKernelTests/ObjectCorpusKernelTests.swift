import LinuxKernel
import Testing

/// The objects corpus on the real kernel, where its expectations were recorded: the kernel
/// backend's loader must give the kernel what libbpf gives it (the DATASEC of global data, an
/// inner template's BTF), and the embedded backend must print the same (ObjectCorpusTests).
@Suite(needsKernel)
struct ObjectCorpusKernelTests {
    // The scripts that set every byte of the objects they read: the kernel zeroes only an
    // object's special fields (bpf_obj_init), so a fresh object may hold what bpf_mem_alloc's
    // cache last held (objects.tcx's "reads as zeros" line read 296 more once, under load).
    static let replayable: Set<String> = ["datasec.tcx", "globallist.tcx", "innerkptr.tcx", "rcukptr.tcx", "object_locks.tcx",
                                                  "percpu_objects.tcx", "nested_fields.tcx"]
    static let scripts = KernelTestSupport.scripts(in: "../corpus/objects").filter { path in
        replayable.contains(String(path.split(separator: "/").last ?? ""))
    }

    @Test(arguments: scripts)
    func scriptPassesOnTheKernel(path: String) throws {
        try KernelTestSupport.expectScriptPasses(path)
    }
}
