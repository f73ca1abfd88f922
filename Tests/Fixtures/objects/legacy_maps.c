/* Maps declared the old way, as struct definitions in the `maps` section. */
#include "tcx_bpf.h"

struct legacy_map_def packets SEC("maps") = {
	.type = MAP_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct legacy_map_def sessions SEC("maps") = {
	.type = MAP_HASH,
	.key_size = 8,
	.value_size = 16,
	.max_entries = 512,
	.map_flags = F_NO_PREALLOC,
};

SEC("tc")
int count_legacy(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *v = map_lookup_elem(&packets, &k);
	if (v)
		*v += skb->len;
	__u64 key = skb->mark;
	return map_lookup_elem(&sessions, &key) ? 2 : 0;
}

LICENSE("Dual BSD/GPL");
