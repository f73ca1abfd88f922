/* A counter under a bpf_spin_lock in a BTF-defined map value: the program adds the packet's
 * byte @14 under the lock and returns the new total. */
#include "skb_helpers.h"

struct bpf_spin_lock { __u32 val; };
static long (*bpf_spin_lock)(struct bpf_spin_lock *lock) = (void *)93;
static long (*bpf_spin_unlock)(struct bpf_spin_lock *lock) = (void *)94;

struct counter { struct bpf_spin_lock lock; __u32 total; };

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counter);
} counters SEC(".maps");

SEC("tc")
int locked_add(struct __sk_buff *skb)
{
	__u32 zero = 0, total;
	__u8 add;
	struct counter *c = bpf_map_lookup_elem(&counters, &zero);

	if (!c || bpf_skb_load_bytes(skb, 14, &add, 1))
		return -1;
	bpf_spin_lock(&c->lock);
	c->total += add;
	total = c->total;
	bpf_spin_unlock(&c->lock);
	return total;
}

char _license[] SEC("license") = "GPL";
