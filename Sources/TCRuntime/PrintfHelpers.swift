import BPFCore
import BPFVM

/// bpf_snprintf and bpf_trace_vprintk: the trace_printk formats with up to 12 arguments passed
/// as an array of u64.
enum PrintfHelpers {
    /// MAX_BPRINTF_VARARGS.
    static let maxArguments = 12

    static func register(_ table: inout HelperTable) {
        table.register(165, name: "snprintf", snprintf)
        table.register(177, name: "trace_vprintk", vprintk)
    }

    /// What printing a format gave.
    enum Printed {
        case printed
        /// The kernel refuses the format or the argument array.
        case refused(LinuxErrno)
        /// The format or the arguments could not be read (`call.failure` says which).
        case faulted
    }

    /// Prints the NUL-terminated format at `address` (at most `formatLimit` bytes) with the
    /// `length`-byte argument array at `data` into `out`.
    static func print(_ call: inout HelperCall, format address: UInt64, formatLimit: Int,
                      data: UInt64, length: UInt64, into out: inout PrintfOutput) -> Printed {
        guard length % 8 == 0, length <= UInt64(maxArguments * 8) else { return .refused(.EINVAL) }
        var size = 0
        while true {
            guard size < formatLimit,
                  let b = call.memory(at: address &+ UInt64(size), count: 1, write: false, "format") else { return .faulted }
            if b[0] == 0 { break }
            size += 1
        }
        guard let fmt = size == 0 ? UnsafeMutableRawBufferPointer(start: nil, count: 0)
                : call.memory(at: address, count: size, write: false, "format"),
              let raw = length == 0 ? UnsafeMutableRawBufferPointer(start: nil, count: 0)
                : call.memory(at: data, count: Int(length), write: false, "format arguments") else { return .faulted }
        let printed = TracePrintk.print(UnsafeRawBufferPointer(fmt), arguments: Int(length / 8), {
            raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)
        }, call: call, into: &out)
        return printed ? .printed : .refused(.EINVAL)
    }

    /// Writes as much of the text as fits with a NUL; returns the full length plus the NUL.
    /// Nothing is written for a format the kernel refuses (it checks before it prints).
    static func snprintf(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let buffer = call.memory(at: call.r1, count: size, write: true, "snprintf buffer") else { return 0 }
        var check = PrintfOutput.counting
        switch print(&call, format: call.r3, formatLimit: 1 << 16, data: call.r4, length: call.r5, into: &check) {
        case .faulted: return 0
        case let .refused(errno): return failed(errno)
        case .printed: break
        }
        guard size > 0 else { return UInt64(check.length + 1) }
        var out = PrintfOutput(UnsafeMutableRawBufferPointer(rebasing: buffer[..<(size - 1)]))
        _ = print(&call, format: call.r3, formatLimit: 1 << 16, data: call.r4, length: call.r5, into: &out)
        buffer[min(out.length, size - 1)] = 0
        return UInt64(out.length + 1)
    }

    static func vprintk(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        return withUnsafeTemporaryAllocation(byteCount: PrintfOutput.traceLineCapacity, alignment: 1) { line in
            var out = PrintfOutput(line)
            switch print(&call, format: call.r1, formatLimit: size, data: call.r3, length: call.r4, into: &out) {
            case .faulted: return 0
            case let .refused(errno): return failed(errno)
            case .printed:
                TracePrintk.log(out, call)
                return UInt64(out.length)
            }
        }
    }
}
