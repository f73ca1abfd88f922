/* Which packets share a flow hash. The kernel seeds skb_get_hash with a per-boot secret, so a
 * script can only compare hashes with each other: same_as_last answers 1 when this packet's
 * bpf_get_hash_recalc equals the one of the packet run before it, 0 otherwise. */
#include "skb_helpers.h"

static __u32 (*bpf_get_hash_recalc)(struct __sk_buff *skb) = (void *)34;

__u32 last_hash;

SEC("tc")
int same_as_last(struct __sk_buff *skb)
{
	__u32 hash = bpf_get_hash_recalc(skb);
	int same = hash == last_hash;

	last_hash = hash;
	return same;
}

char _license[] SEC("license") = "GPL";
