import BPFCore
import BPFVM

/// `bpf_stream_vprintk_impl` (kernel/bpf/stream.c, Linux 6.18): prints, with bpf_snprintf's
/// formats, into one of the program's BPF streams (BPF_STDOUT 1, BPF_STDERR 2), which userspace
/// reads with BPF_PROG_STREAM_READ_BY_FD; libbpf's `bpf_stream_printk` calls it.
///
/// Errors in the kernel's order: ENOENT for another stream; EINVAL for an argument array that
/// is not whole u64s, holds more than 12 or is NULL with a size; EINVAL for a format the
/// kernel's printf rules refuse. A well-formed print answers ENOMEM, as Linux 6.18 on this
/// machine answers every one in a tc test-run (stream.tcx: the stream element is never
/// allocated, and no capacity is used up). The embedded backend has no streams to print into.
enum StreamKfuncs {
    static let standardOutput: Int32 = 1, standardError: Int32 = 2

    static func register(_ table: inout KfuncTable) {
        table.register(.streamVprintk, print)
    }

    static func print(_ call: inout HelperCall) -> UInt64 {
        let stream = Int32(truncatingIfNeeded: call.r1)
        guard stream == standardOutput || stream == standardError else { return failed(.ENOENT) }
        let length = UInt64(UInt32(truncatingIfNeeded: call.r4))
        guard length == 0 || call.r3 != 0 else { return failed(.EINVAL) }
        var check = PrintfOutput.counting
        switch PrintfHelpers.print(&call, format: call.r2, formatLimit: 1 << 16, data: call.r3, length: length, into: &check) {
        case .faulted: return 0
        case let .refused(errno): return failed(errno)
        case .printed: return failed(.ENOMEM)
        }
    }
}
