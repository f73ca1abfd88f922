/* A CGRP_STORAGE map in an object whose tc program does not use it: the map must still be
 * created (CgroupStorageTests reads and writes it from userspace with cgroup descriptors as
 * keys). A tc program could reach a cgroup only through kernel objects (task->cgroups, the
 * bpf_cgroup_from_id kfunc), so none does here. */
#include "maps.h"

struct {
	__uint(type, 32); /* BPF_MAP_TYPE_CGRP_STORAGE, newer than this machine's uapi header */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} per_cgroup SEC(".maps");

SEC("tc")
int pass(struct __sk_buff *skb)
{
	return 0;
}

LICENSE;
