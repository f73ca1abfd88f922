/// The pointer fields Linux 6.18 keeps RCU-protected (kernel/bpf/verifier.c's
/// BTF_TYPE_SAFE_RCU): read through a trusted, held or RCU pointer inside an RCU read-side
/// section (always, in a program that cannot sleep, as tc and XDP programs), they give an RCU
/// pointer (MEM_RCU) that a KF_RCU kfunc (`bpf_task_acquire`, `bpf_cgroup_acquire`) takes.
/// Any other pointer field gives a plain pointer such a kfunc refuses ("R1 must be a rcu
/// pointer", EINVAL): `task->parent` is refused, `task->real_parent` taken (measured:
/// corpus/kfunc/task_cgroup.tcx).
enum RCUFields {
    /// Struct → (field → the struct it points to).
    static let fields: [String: [String: String]] = [
        "task_struct": ["cpus_ptr": "cpumask", "cgroups": "css_set", "real_parent": "task_struct",
                        "group_leader": "task_struct"],
        "cgroup": ["kn": "kernfs_node"],
        "css_set": ["dfl_cgrp": "cgroup"],
        "cgroup_subsys_state": ["cgroup": "cgroup"],
    ]

    /// Whether reading `field` through `base` gives an RCU pointer to `pointee`.
    static func protects(_ field: String, of base: BTFPointer, pointee: String) -> Bool {
        guard base.trusted || base.acquired || base.rcu, !base.nullable else { return false }
        return fields[base.name]?[field] == pointee
    }
}
