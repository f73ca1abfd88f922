import BPFCore
import BPFMaps
import BPFVM

/// bpf_perf_event_output (25) for a tc program: the kernel's bpf_skb_event_output. The sample is
/// the program's bytes followed by the first BPF_F_CTXLEN_MASK bytes of the packet.
enum PerfEventOutputHelper {
    static func register(_ table: inout HelperTable) {
        table.register(25, name: "perf_event_output", output)
    }

    /// r1 skb, r2 map, r3 flags, r4 data, r5 size. The errno order is the kernel's: unknown flag
    /// bits EINVAL, more packet bytes than the packet has EFAULT (before the slot is looked at),
    /// then the map's E2BIG / ENOENT / EOPNOTSUPP / ENOSPC.
    static func output(_ call: inout HelperCall) -> UInt64 {
        guard let map = MapRegistry.shared.map(call.r2) else {
            call.failure = "r2 is not a map"
            return 0
        }
        guard let events = map as? PerfEventArrayMap else {
            call.failure = "map \(map.spec.name) is not a perf event array"
            return 0
        }
        // The verifier bounds the size by the memory behind r4; this bound keeps Int conversion safe.
        guard call.r5 <= UInt64(UInt32.max),
              let data = call.memory(at: call.r4, count: Int(call.r5), write: false, "perf_event_output data") else {
            if call.failure == nil { call.failure = "perf_event_output size \(call.r5) is out of range" }
            return 0
        }
        let flags = call.r3
        guard flags & ~(PerfEventArrayMap.indexMask | PerfEventArrayMap.contextLengthMask) == 0 else { return failed(.EINVAL) }
        let run = TCRun.from(call)
        let packetCount = Int((flags & PerfEventArrayMap.contextLengthMask) >> 32)
        guard packetCount <= run.skb.length, packetCount <= run.packet.count else { return failed(.EFAULT) }
        let sample = [UInt8](UnsafeRawBufferPointer(data)) + [UInt8](UnsafeRawBufferPointer(rebasing: run.packet.prefix(packetCount)))
        let cpu = Int(run.services.processorID())
        guard let error = events.output(flags: flags, cpu: cpu, sample) else { return 0 }
        return failed(error)
    }
}
