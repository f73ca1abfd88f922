import BPFCore
import BPFMaps
import BPFVM

/// bpf_skb_under_cgroup (33) and bpf_current_task_under_cgroup (37) on a CGROUP_ARRAY. The task
/// of a run is this process (as the kernel's test-run runs in its caller), and so is the cgroup
/// of the skb's socket, which the test-run's caller made. Errnos as the kernel's: an skb
/// without a socket ENOENT (skb only), an index past max_entries E2BIG, an empty slot EAGAIN.
enum CgroupArrayHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(33, name: "skb_under_cgroup", skbUnderCgroup)
        table.register(37, name: "current_task_under_cgroup") { call in
            guard let map = cgroupArray(&call, at: call.r1) else { return 0 }
            return answer(map.processIsUnder(index: UInt32(truncatingIfNeeded: call.r2)))
        }
    }

    static func skbUnderCgroup(_ call: inout HelperCall) -> UInt64 {
        guard let map = cgroupArray(&call, at: call.r2) else { return 0 }
        guard TCRun.from(call).skb.metadata.socket != nil else { return failed(.ENOENT) }
        return answer(map.processIsUnder(index: UInt32(truncatingIfNeeded: call.r3)))
    }

    private static func cgroupArray(_ call: inout HelperCall, at address: UInt64) -> CgroupArrayMap? {
        guard let map = MapRegistry.shared.map(address) else {
            call.failure = "the map argument is not a map"
            return nil
        }
        guard let cgroups = map as? CgroupArrayMap else {
            call.failure = "map \(map.spec.name) is not a cgroup array"
            return nil
        }
        return cgroups
    }

    private static func answer(_ result: Result<Bool, MapError>) -> UInt64 {
        switch result {
        case .success(let under): under ? 1 : 0
        case .failure(let error): failed(error.errno)
        }
    }
}
