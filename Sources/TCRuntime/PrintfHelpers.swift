import BPFCore
import BPFVM

/// bpf_snprintf and bpf_trace_vprintk: the trace_printk formats with up to 12 arguments passed
/// as an array of u64.
enum PrintfHelpers {
    struct PrintfFailure: Error { let errno: LinuxErrno }

    /// MAX_BPRINTF_VARARGS.
    static let maxArguments = 12

    static func register(_ table: inout HelperTable) {
        table.register(165, name: "snprintf", snprintf)
        table.register(177, name: "trace_vprintk", vprintk)
    }

    /// The NUL-terminated format at `address` and the `length`-byte argument array at `data`.
    static func formatted(_ call: inout HelperCall, format address: UInt64, formatLimit: Int,
                          data: UInt64, length: UInt64) -> Result<String, PrintfFailure>? {
        guard length % 8 == 0, length <= UInt64(maxArguments * 8) else { return .failure(PrintfFailure(errno: .EINVAL)) }
        var fmt: [UInt8] = []
        while true {
            guard fmt.count < formatLimit,
                  let b = call.memory(at: address &+ UInt64(fmt.count), count: 1, write: false, "format") else { return nil }
            if b[0] == 0 { break }
            fmt.append(b[0])
        }
        guard let raw = call.memory(at: data, count: Int(length), write: false, "format arguments") else { return nil }
        let args = (0..<Int(length / 8)).map { raw.load(fromByteOffset: $0 * 8, as: UInt64.self) }
        guard let text = TracePrintk.format(fmt, args, call: call) else { return .failure(PrintfFailure(errno: .EINVAL)) }
        return .success(text)
    }

    /// Writes as much of the text as fits with a NUL; returns the full length plus the NUL.
    static func snprintf(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let out = call.memory(at: call.r1, count: size, write: true, "snprintf buffer"),
              let result = formatted(&call, format: call.r3, formatLimit: 1 << 16, data: call.r4, length: call.r5) else { return 0 }
        switch result {
        case let .failure(error): return failed(error.errno)
        case let .success(text):
            let bytes = Array(text.utf8)
            if size > 0 {
                let n = min(bytes.count, size - 1)
                for i in 0..<n { out[i] = bytes[i] }
                out[n] = 0
            }
            return UInt64(bytes.count + 1)
        }
    }

    static func vprintk(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard let result = formatted(&call, format: call.r1, formatLimit: size, data: call.r3, length: call.r4) else { return 0 }
        switch result {
        case let .failure(error): return failed(error.errno)
        case let .success(text):
            TCRun.from(call).services.log(text)
            return UInt64(text.utf8.count)
        }
    }
}
