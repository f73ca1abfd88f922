import BPFCore
import BPFVM

/// bpf_probe_read_kernel(_str) and bpf_probe_read_user(_str). What a program can name as
/// "kernel memory" here is the memory it may access (stack, packet, context, map values); any
/// other address is never dereferenced. As in the kernel, an address in the user half fails
/// with ERANGE, another one with EFAULT, and the user variants fail on every address a
/// program holds (they are all kernel addresses to the kernel).
enum ProbeReadHelpers {
    /// TASK_SIZE_MAX + PAGE_SIZE on x86-64: below this, the kernel refuses a kernel read.
    static let userHalfEnd: UInt64 = 1 << 47

    static func register(_ table: inout HelperTable) {
        table.register(112, name: "probe_read_user") { call in read(&call, kernel: false) }
        table.register(113, name: "probe_read_kernel") { call in read(&call, kernel: true) }
        table.register(114, name: "probe_read_user_str") { call in readString(&call, kernel: false) }
        table.register(115, name: "probe_read_kernel_str") { call in readString(&call, kernel: true) }
    }

    /// The error for an address the program may not read.
    static func refusal(_ call: HelperCall, kernel: Bool) -> LinuxErrno {
        kernel && !isProgramMemory(call, call.r3) && call.r3 < userHalfEnd ? .ERANGE : .EFAULT
    }

    static func isProgramMemory(_ call: HelperCall, _ address: UInt64) -> Bool {
        call.bytes(at: address, count: 1, write: false) != nil
    }

    static func read(_ call: inout HelperCall, kernel: Bool) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let to = call.memory(at: call.r1, count: size, write: true, "probe_read buffer") else { return 0 }
        if kernel, size > 0, let from = call.bytes(at: call.r3, count: size, write: false) {
            for i in 0..<size { to[i] = from[i] }
            return 0
        }
        to.initializeMemory(as: UInt8.self, repeating: 0)
        if kernel && size == 0 && (call.r3 >= userHalfEnd || isProgramMemory(call, call.r3)) { return 0 }
        return failed(refusal(call, kernel: kernel))
    }

    /// Copies up to size-1 bytes and a NUL; returns the bytes written with the NUL.
    static func readString(_ call: inout HelperCall, kernel: Bool) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let to = call.memory(at: call.r1, count: size, write: true, "probe_read_str buffer") else { return 0 }
        guard size > 0 else { return 0 }
        if kernel {
            var i = 0
            while i < size - 1, let b = call.bytes(at: call.r3 &+ UInt64(i), count: 1, write: false) {
                to[i] = b[0]
                if b[0] == 0 { return UInt64(i + 1) }
                i += 1
            }
            if i == size - 1 {
                to[i] = 0
                return UInt64(size)
            }
        }
        to.initializeMemory(as: UInt8.self, repeating: 0)
        return failed(refusal(call, kernel: kernel))
    }
}
