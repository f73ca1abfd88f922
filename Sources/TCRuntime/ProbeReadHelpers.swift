import BPFCore
import BPFVM

/// bpf_probe_read_kernel(_str) and bpf_probe_read_user(_str): the kernel's nofault copies
/// (`NofaultCopies`, shared with the dynptr kfuncs) into a buffer of the program's, cleared
/// whole when the copy fails, as the kernel's helpers clear it.
enum ProbeReadHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(112, name: "probe_read_user") { call in read(&call, NofaultCopies.user) }
        table.register(113, name: "probe_read_kernel") { call in read(&call, NofaultCopies.kernel) }
        table.register(114, name: "probe_read_user_str") { call in read(&call, NofaultCopies.userString) }
        table.register(115, name: "probe_read_kernel_str") { call in read(&call, NofaultCopies.kernelString) }
    }

    static func read(_ call: inout HelperCall, _ copy: ProbeReadDynptrKfuncs.Copy) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let to = call.memory(at: call.r1, count: size, write: true, "probe_read buffer") else { return 0 }
        let answer = copy(call, to, call.r3)
        if answer < 0 { to.initializeMemory(as: UInt8.self, repeating: 0) }
        return UInt64(bitPattern: Int64(answer))
    }
}
