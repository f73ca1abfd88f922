/* A __percpu_kptr field: only a per-CPU object may go in, and what comes out must be released. */
#include "objects.h"

#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))

struct counter {
	__u64 hits;
};

struct per_cpu_slot {
	struct counter __percpu_kptr *hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct per_cpu_slot);
	__uint(max_entries, 1);
} per_cpu_slots SEC(".maps");

SEC("tc")
int plain_object_in(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct per_cpu_slot *s = bpf_map_lookup_elem(&per_cpu_slots, &key);
	struct counter *c, *old;

	if (!s)
		return 1;
	c = new_object(struct counter);
	if (!c)
		return 2;
	old = bpf_kptr_xchg(&s->hits, c);
	if (old)
		drop_object(old);
	return 0;
}

SEC("tc")
int taken_and_leaked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct per_cpu_slot *s = bpf_map_lookup_elem(&per_cpu_slots, &key);
	struct counter *old;

	if (!s)
		return 1;
	old = bpf_kptr_xchg(&s->hits, (struct counter *)0);
	return old ? 3 : 0;
}
