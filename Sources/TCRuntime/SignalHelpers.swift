import BPFCore
import BPFVM
import Glibc

/// bpf_send_signal / bpf_send_signal_thread: the kernel signals the task the program runs for,
/// which for a test-run is its caller; here that is this process (or the calling thread).
/// Signal 0 sends nothing; numbers above 64 are EINVAL. And bpf_get_branch_snapshot, which
/// has no branch records to give here, as on machines without them.
enum SignalHelpers {
    /// _NSIG.
    static let lastSignal: UInt32 = 64
    /// sizeof(struct perf_branch_entry).
    static let branchEntrySize: UInt32 = 24

    static func register(_ table: inout HelperTable) {
        table.register(109, name: "send_signal") { call in send(call, thread: false) }
        table.register(117, name: "send_signal_thread") { call in send(call, thread: true) }
        table.register(176, name: "get_branch_snapshot", branchSnapshot)
    }

    static func send(_ call: HelperCall, thread: Bool) -> UInt64 {
        let signal = UInt32(truncatingIfNeeded: call.r1)
        guard signal <= lastSignal else { return failed(.EINVAL) }
        guard signal != 0 else { return 0 }
        let result = thread ? pthread_kill(pthread_self(), Int32(signal)) : kill(getpid(), Int32(signal))
        return result == 0 ? 0 : failed(.EPERM)
    }

    static func branchSnapshot(_ call: inout HelperCall) -> UInt64 {
        let size = Int(UInt32(truncatingIfNeeded: call.r2))
        guard call.memory(at: call.r1, count: size, write: true, "branch entries") != nil else { return 0 }
        guard call.r3 == 0 else { return failed(.EINVAL) }
        return failed(.ENOENT)
    }
}
