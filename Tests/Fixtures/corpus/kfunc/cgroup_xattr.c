/* bpf_cgroup_read_xattr on the test-run's own cgroup (found by its id): names outside
 * `user.` (EPERM, checked first), attributes the directory does not have (ENODATA), a NULL
 * dynptr (EINVAL), into a map value's local dynptr or the packet's. The answer is the kfunc's;
 * what it wrote is in the output packet (a local dynptr's bytes copied to @24). The refused
 * programs break one rule each. Written by hand, not by gen.py. */
#include "kfuncs.h"

struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern int bpf_cgroup_read_xattr(struct cgroup *cgroup, const char *name__str,
				 struct bpf_dynptr *value_p) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} value_buffer SEC(".maps");

char writable_name[16] = "user.tcx_absent";

/* u8 @14: 0 an absent user attribute, 1 `trusted.`, 2 `user` (no dot), 3 an empty name,
 * 4 `user.` alone, 5 absent into the packet's dynptr, 6 into a NULL dynptr, 7 `trusted.` into
 * a NULL dynptr, 8 absent into a dynptr of size 0. */
SEC("tc")
int read_xattr(struct __sk_buff *skb)
{
	struct bpf_dynptr value, pkt;
	__u32 zero = 0;
	__u8 which;
	int ret;

	if (bpf_skb_load_bytes(skb, 14, &which, 1) || bpf_dynptr_from_skb(skb, 0, &pkt))
		return -1000;
	__u8 *bytes = bpf_map_lookup_elem(&value_buffer, &zero);
	if (!bytes)
		return -1001;
	__builtin_memset(bytes, '.', 16);
	struct cgroup *cgroup = bpf_cgroup_from_id(bpf_get_current_cgroup_id());
	if (!cgroup)
		return -1002;
	if (which == 5)
		bpf_dynptr_from_skb(skb, 0, &value);
	else if (which == 6 || which == 7)
		bpf_dynptr_from_skb(skb, 1, &value);
	else
		bpf_dynptr_from_mem(bytes, which == 8 ? 0 : 16, 0, &value);
	switch (which) {
	case 1: case 7: ret = bpf_cgroup_read_xattr(cgroup, "trusted.tcx", &value); break;
	case 2: ret = bpf_cgroup_read_xattr(cgroup, "user", &value); break;
	case 3: ret = bpf_cgroup_read_xattr(cgroup, "", &value); break;
	case 4: ret = bpf_cgroup_read_xattr(cgroup, "user.", &value); break;
	default: ret = bpf_cgroup_read_xattr(cgroup, "user.tcx_absent", &value); break;
	}
	bpf_cgroup_release(cgroup);
	if (bpf_dynptr_write(&pkt, 24, bytes, 16, 0))
		return -1003;
	return ret;
}

/* Refused: the cgroup may be NULL. */
SEC("tc")
int unchecked_cgroup(struct __sk_buff *skb)
{
	struct bpf_dynptr value;
	__u32 zero = 0;
	__u8 *bytes = bpf_map_lookup_elem(&value_buffer, &zero);

	if (!bytes)
		return 0;
	bpf_dynptr_from_mem(bytes, 16, 0, &value);
	struct cgroup *cgroup = bpf_cgroup_from_id(1);
	int ret = bpf_cgroup_read_xattr(cgroup, "user.tcx_absent", &value);
	if (cgroup)
		bpf_cgroup_release(cgroup);
	return ret;
}

/* Refused: the name is on the stack, not a constant string. */
SEC("tc")
int stack_name(struct __sk_buff *skb)
{
	char name[16] = "user.tcx_absent";
	struct bpf_dynptr value;
	__u32 zero = 0;
	__u8 *bytes = bpf_map_lookup_elem(&value_buffer, &zero);

	if (!bytes)
		return 0;
	bpf_dynptr_from_mem(bytes, 16, 0, &value);
	struct cgroup *cgroup = bpf_cgroup_from_id(1);
	if (!cgroup)
		return 0;
	int ret = bpf_cgroup_read_xattr(cgroup, name, &value);
	bpf_cgroup_release(cgroup);
	return ret;
}

/* Refused: the name is in a writable map. */
SEC("tc")
int writable_map_name(struct __sk_buff *skb)
{
	struct bpf_dynptr value;
	__u32 zero = 0;
	__u8 *bytes = bpf_map_lookup_elem(&value_buffer, &zero);

	if (!bytes)
		return 0;
	bpf_dynptr_from_mem(bytes, 16, 0, &value);
	struct cgroup *cgroup = bpf_cgroup_from_id(1);
	if (!cgroup)
		return 0;
	int ret = bpf_cgroup_read_xattr(cgroup, writable_name, &value);
	bpf_cgroup_release(cgroup);
	return ret;
}

/* Refused: the dynptr was never made. */
SEC("tc")
int uninitialised_value(struct __sk_buff *skb)
{
	struct bpf_dynptr value;
	struct cgroup *cgroup = bpf_cgroup_from_id(1);

	if (!cgroup)
		return 0;
	int ret = bpf_cgroup_read_xattr(cgroup, "user.tcx_absent", &value);
	bpf_cgroup_release(cgroup);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
