import BPFCore
import BPFVM

/// Clocks, randomness, the CPU number, bpf_loop.
enum SystemHelpers {
    /// BPF_MAX_LOOPS.
    static let maxLoops: UInt64 = 1 << 23

    static func register(_ table: inout HelperTable) {
        // Borrowed and keeping the skb image: a clock read changes no skb, and each of these
        // took a retain of the run and one of the service's closure per call.
        table.register(5, name: "ktime_get_ns") { call in
            TCRun.borrowKeepingImage(call) { run in run.withServices { $0.monotonicNanoseconds() } }
        }
        table.register(125, name: "ktime_get_boot_ns") { call in
            TCRun.borrowKeepingImage(call) { run in run.withServices { $0.bootNanoseconds() } }
        }
        table.register(7, name: "get_prandom_u32") { call in
            UInt64(TCRun.borrowKeepingImage(call) { run in run.withServices { $0.random() } })
        }
        table.register(8, name: "get_smp_processor_id") { call in
            UInt64(TCRun.borrowKeepingImage(call) { $0.processorID() })
        }
        table.register(181, name: "loop", loop)
    }

    /// Calls the callback with (index, ctx) until it returns non-zero or `nr_loops` calls are done;
    /// returns the number of calls made.
    ///
    /// The kernel replaces a call whose flags are always 0 and callback always the same by a
    /// loop of its own (`HelperCall.inlinesLoop`), which compares all 64 bits of r1 with
    /// BPF_MAX_LOOPS and answers -E2BIG with a 32-bit move (the program sees 0xfffffff9, not a
    /// negative number); the helper takes r1's low 32 bits and answers a 64-bit -E2BIG.
    static func loop(_ call: inout HelperCall) -> UInt64 {
        if call.inlinesLoop {
            guard call.r1 <= maxLoops else { return UInt64(UInt32(truncatingIfNeeded: failed(.E2BIG))) }
            return runLoop(&call, count: call.r1)
        }
        guard call.r4 == 0 else { return failed(.EINVAL) }
        let count = UInt64(UInt32(truncatingIfNeeded: call.r1))
        guard count <= maxLoops else { return failed(.E2BIG) }
        return runLoop(&call, count: count)
    }

    private static func runLoop(_ call: inout HelperCall, count: UInt64) -> UInt64 {
        let callback = call.r2, context = call.r3
        var i: UInt64 = 0
        while i < count {
            guard let result = call.callFunction(callback, i, context) else { return 0 }
            i += 1
            if result != 0 { break }
        }
        return i
    }
}
