/* bpf_map_sum_elem_count: what the kernel counts. Each program puts the packet's length as a
 * key into its map (op 1, byte 14, deletes it instead) and returns the map's element count:
 * hash maps count, preallocated or not, LRU too; an array counts nothing. A NULL map is refused.
 * Written for swift-tcx; the kernel's results are recorded in map_count.tcx. */
#include "exceptions.h"

struct bpf_map {
	int unused;
};

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

#define KEYED_MAP(name, kind, flags)               \
	struct {                                   \
		__uint(type, kind);                \
		__uint(max_entries, 8);            \
		__uint(map_flags, flags);          \
		__type(key, __u32);                \
		__type(value, __u32);              \
	} name SEC(".maps")

KEYED_MAP(hash, BPF_MAP_TYPE_HASH, 0);
KEYED_MAP(hash_lazy, BPF_MAP_TYPE_HASH, BPF_F_NO_PREALLOC);
KEYED_MAP(lru, BPF_MAP_TYPE_LRU_HASH, 0);
KEYED_MAP(array, BPF_MAP_TYPE_ARRAY, 0);

static __always_inline int count_after(struct __sk_buff *skb, void *map)
{
	__u32 key = skb->len, one = 1;
	__u8 op = 0;

	bpf_skb_load_bytes(skb, 14, &op, 1);
	if (op == 1)
		bpf_map_delete_elem(map, &key);
	else
		bpf_map_update_elem(map, &key, &one, BPF_ANY);
	return (int)bpf_map_sum_elem_count((const struct bpf_map *)map);
}

SEC("tc") int count_hash(struct __sk_buff *skb) { return count_after(skb, &hash); }
SEC("tc") int count_hash_lazy(struct __sk_buff *skb) { return count_after(skb, &hash_lazy); }
SEC("tc") int count_lru(struct __sk_buff *skb) { return count_after(skb, &lru); }
SEC("tc") int count_array(struct __sk_buff *skb) { return count_after(skb, &array); }

SEC("tc") int count_null(struct __sk_buff *skb)
{
	return (int)bpf_map_sum_elem_count((const struct bpf_map *)0);
}

char _license[] SEC("license") = "GPL";
