import BPFCore
import BPFMaps
import BPFVM

/// bpf_cgrp_storage_get (210), bpf_cgrp_storage_delete (211): cgroup-local storage, the
/// cgroup being one a program reached through the task that runs it
/// (`bpf_get_current_task_btf()->cgroups->dfl_cgrp`, `KernelTaskImages`), owned by its cgroup
/// id as userspace's cgroup descriptor keys are (`CgroupStorageMap`). The results are the
/// kernel's (corpus/maps/cgrp_local_storage.tcx): get gives the storage, NULL for a NULL
/// cgroup, for flags other than 0 and BPF_LOCAL_STORAGE_GET_F_CREATE, or when there is none
/// and it may not create one; delete 0, -ENOENT, or -EINVAL for a NULL cgroup.
enum CgroupStorageHelpers {
    static func register(_ table: inout HelperTable) {
        table.register(210, name: "cgrp_storage_get", get)
        table.register(211, name: "cgrp_storage_delete", delete)
    }

    private static func storageMap(_ call: inout HelperCall) -> CgroupStorageMap? {
        LocalStorageValue.map(&call, kind: "cgrp_storage")
    }

    /// The cgroup id r2 names; a value that is no cgroup image or handle is refused, as the
    /// verifier takes only cgroup pointers there.
    private static func cgroup(_ call: inout HelperCall) -> UInt64? {
        guard let id = KernelTaskImages.cgroupID(ofCgroup: call.r2) else {
            call.failure = "r2 is not a cgroup pointer"
            return nil
        }
        return id
    }

    static func get(_ call: inout HelperCall) -> UInt64 {
        guard let map = storageMap(&call) else { return 0 }
        if call.r2 == 0 { return 0 }
        guard let owner = cgroup(&call) else { return 0 }
        return LocalStorageValue.ownerGet(&call, map: map, owner: owner, what: "cgrp_storage start value")
    }

    static func delete(_ call: inout HelperCall) -> UInt64 {
        guard let map = storageMap(&call) else { return 0 }
        if call.r2 == 0 { return failed(.EINVAL) }
        guard let owner = cgroup(&call) else { return 0 }
        return map.remove(owner: owner) ? 0 : failed(.ENOENT)
    }
}
