/* The older, attach-time CGROUP_STORAGE and PERCPU_CGROUP_STORAGE maps beside tc programs: only
 * cgroup programs reach them (bpf_get_local_storage), but libbpf creates every map of an
 * object, so the object's tc programs must still load. A tc program that asks for the storage,
 * or looks the map up, is refused. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} shared_storage SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, __u64);
	__type(value, __u32);
} percpu_storage SEC(".maps");

SEC("tc")
int pass(struct __sk_buff *skb)
{
	return 0;
}

static void *(*get_local_storage)(void *map, __u64 flags) = (void *)BPF_FUNC_get_local_storage;

SEC("tc")
int storage(struct __sk_buff *skb)
{
	__u64 *value = get_local_storage(&shared_storage, 0);

	return value ? 1 : 2;
}

SEC("tc")
int look(struct __sk_buff *skb)
{
	struct bpf_cgroup_storage_key key = {};

	return map_lookup_elem(&shared_storage, &key) ? 1 : 2;
}

LICENSE;
