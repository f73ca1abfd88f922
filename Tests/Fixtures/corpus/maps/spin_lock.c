/* Counters guarded by a bpf_spin_lock in the value: the kernel accepts such a map only when it
 * is created with its BTF. Each request adds its value to the counter at its key under the
 * lock and answers with the new total. */
#include "maps.h"

struct guarded {
	struct bpf_spin_lock lock;
	__u32 updates;
	__u64 total;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct guarded);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct guarded);
} by_key SEC(".maps");

static __attribute__((noinline)) __u64 add(struct guarded *g, __u64 value)
{
	__u64 now;
	if (!g)
		return 0;
	spin_lock(&g->lock);
	g->updates++;
	g->total += value;
	now = g->total;
	spin_unlock(&g->lock);
	return now;
}

SEC("tc")
int add_locked(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	__u64 array_total = add(map_lookup_elem(&totals, &req.key), req.value);
	struct guarded fresh = {};
	long created = map_update_elem(&by_key, &req.key, &fresh, BPF_NOEXIST);
	__u64 hash_total = add(map_lookup_elem(&by_key, &req.key), req.value);
	answer(skb, created, array_total + (hash_total << 32));
	return 0;
}

LICENSE;
