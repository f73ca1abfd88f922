import BPFCore
import BPFMaps
import BPFVM

/// bpf_perf_event_read (22) and bpf_perf_event_read_value (55), answered as Linux 6.18's
/// get_map_perf_counter answers them: unknown flag bits EINVAL, an index past max_entries E2BIG
/// (BPF_F_CURRENT_CPU reads this CPU's slot), an empty slot ENOENT. The events this backend puts
/// in a perf event array are bpf-output rings, which count nothing: one of another CPU is
/// EINVAL (perf_event_read_local), one of this CPU reads zeros.
enum PerfEventReadHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(22, name: "perf_event_read", read)
        table.register(55, name: "perf_event_read_value", readValue)
    }

    /// The bytes of `struct bpf_perf_event_value`: counter, enabled, running.
    static let valueSize: UInt64 = 24

    /// r1 map, r2 flags: the counter, or a negative errno.
    static func read(_ call: inout HelperCall) -> UInt64 {
        guard let events = events(&call) else { return 0 }
        if let error = counterError(events, flags: call.r2, cpu: Int(TCRun.borrowKeepingImage(call) { $0.processorID() })) {
            return failed(error)
        }
        return 0
    }

    /// r1 map, r2 flags, r3 buffer, r4 size: 0, or a negative errno with the buffer cleared.
    static func readValue(_ call: inout HelperCall) -> UInt64 {
        guard let events = events(&call) else { return 0 }
        // The verifier bounds the size by the memory behind r3; this bound keeps Int conversion safe.
        guard call.r4 <= UInt64(UInt32.max),
              let buffer = call.memory(at: call.r3, count: Int(call.r4), write: true, "perf_event_read_value buffer") else {
            if call.failure == nil { call.failure = "perf_event_read_value size \(call.r4) is out of range" }
            return 0
        }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        guard call.r4 == valueSize else { return failed(.EINVAL) }
        if let error = counterError(events, flags: call.r2, cpu: Int(TCRun.borrowKeepingImage(call) { $0.processorID() })) {
            return failed(error)
        }
        return 0
    }

    /// The perf event array r1 names (the running program's maps first, as every map helper).
    private static func events(_ call: inout HelperCall) -> PerfEventArrayMap? {
        guard let map = MapHelpers.map(&call) else { return nil }
        guard let events = map as? PerfEventArrayMap else {
            call.failure = "map \(map.spec.name) is not a perf event array"
            return nil
        }
        return events
    }

    /// Why the slot the flags name gives no counter, in the kernel's order; nil when it reads zero.
    static func counterError(_ events: PerfEventArrayMap, flags: UInt64, cpu: Int) -> LinuxErrno? {
        guard flags & ~PerfEventArrayMap.indexMask == 0 else { return .EINVAL }
        var index = flags
        if index == PerfEventArrayMap.indexMask { index = UInt64(cpu) }
        guard index < UInt64(events.maxEntries) else { return .E2BIG }
        guard let ring = events.ring(at: UInt32(index)) else { return .ENOENT }
        return ring.cpu == cpu ? nil : .EINVAL
    }
}
