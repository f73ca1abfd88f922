/* Cgroup-local storage from tc: the program reaches the cgroup of the task that runs it (in
 * BPF_PROG_TEST_RUN, the caller) through bpf_get_current_task_btf()->cgroups->dfl_cgrp, a walk
 * the verifier trusts under RCU, and uses bpf_cgrp_storage_get / _delete (210, 211) on it.
 * The request (byte 14 on): u32 op, u32 flags, u64 the value created storage starts from.
 *   op 0: get with flags, no start value    op 1: get with flags and the start value
 *   op 2: delete                             op 3: get on a NULL cgroup (flags)
 *   op 4: delete on a NULL cgroup
 * The answer at byte 38: s64 the result (1 storage, 0 NULL, or the delete's result), u64 the
 * counter, bumped on every get that returned storage. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

/* Only the members walked, placed by CO-RE against the kernel's BTF. */
struct cgroup {
	int level;
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct {
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static struct task_struct *(*get_current_task_btf)(void) = (void *)158;
static void *(*cgrp_storage_get)(void *map, struct cgroup *cgroup, void *value, __u64 flags) = (void *)210;
static long (*cgrp_storage_delete)(void *map, struct cgroup *cgroup) = (void *)211;

struct counter {
	__u64 count;
};

struct {
	__uint(type, 32);	/* BPF_MAP_TYPE_CGRP_STORAGE */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct counter);
} per_cgroup SEC(".maps");

struct request {
	__u32 op;
	__u32 flags;
	__u64 start;
};

SEC("tc")
int cgrp_local_storage(struct __sk_buff *skb)
{
	struct request req;
	struct counter start;
	struct counter *storage = 0;
	struct cgroup *cgroup = get_current_task_btf()->cgroups->dfl_cgrp;
	__s64 out[2] = { 0, 0 };
	if (skb_load_bytes(skb, 14, &req, sizeof(req)))
		return 2;
	start.count = req.start;
	switch (req.op) {
	case 0:
		storage = cgrp_storage_get(&per_cgroup, cgroup, 0, req.flags);
		break;
	case 1:
		storage = cgrp_storage_get(&per_cgroup, cgroup, &start, req.flags);
		break;
	case 2:
		out[0] = cgrp_storage_delete(&per_cgroup, cgroup);
		break;
	case 3:
		storage = cgrp_storage_get(&per_cgroup, 0, 0, req.flags);
		break;
	default:
		out[0] = cgrp_storage_delete(&per_cgroup, 0);
		break;
	}
	if (storage) {
		storage->count++;
		out[0] = 1;
		out[1] = storage->count;
	}
	skb_store_bytes(skb, 38, out, sizeof(out), 0);
	return 0;
}

/* The task where the cgroup goes: the verifier wants a struct cgroup there. */
SEC("tc")
int cgrp_storage_task_owner(struct __sk_buff *skb)
{
	struct counter *storage = cgrp_storage_get(&per_cgroup, (struct cgroup *)get_current_task_btf(), 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);
	return storage ? 1 : 0;
}

/* What get returns is the map's value or NULL: read before the NULL check, or past the value's
 * 8 bytes, it is refused. */
SEC("tc")
int cgrp_storage_unchecked(struct __sk_buff *skb)
{
	struct counter *storage = cgrp_storage_get(&per_cgroup, get_current_task_btf()->cgroups->dfl_cgrp, 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);
	return storage->count;
}

SEC("tc")
int cgrp_storage_past_value(struct __sk_buff *skb)
{
	struct counter *storage = cgrp_storage_get(&per_cgroup, get_current_task_btf()->cgroups->dfl_cgrp, 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!storage)
		return 0;
	return ((volatile __u8 *)storage)[8 + (skb->len & 0)];
}

char _license[] SEC("license") = "GPL";
