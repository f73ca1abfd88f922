/* Programs for the host tests: they count what passes and let it go on, so traffic through a
 * device they are attached to still flows. -1 is TCX_NEXT on tcx and TC_ACT_UNSPEC on cls_bpf:
 * the next program (or filter) decides. */
#include "../objects/tcx_bpf.h"

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} tallies SEC(".maps");

static __always_inline void add(__u32 slot, __u64 amount)
{
	__u64 *value = map_lookup_elem(&tallies, &slot);
	if (value)
		__sync_fetch_and_add(value, amount);
}

/* Slot 0: packets seen. */
SEC("tc")
int count_packets(struct __sk_buff *skb)
{
	add(0, 1);
	return -1;
}

/* Slot 1: bytes seen. */
SEC("tc")
int count_bytes(struct __sk_buff *skb)
{
	add(1, skb->len);
	return -1;
}

/* Lets everything pass, deciding for the chain. */
SEC("tc")
int pass_all(struct __sk_buff *skb)
{
	return 0;
}

LICENSE("GPL");
