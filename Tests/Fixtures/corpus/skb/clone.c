/* bpf_clone_redirect: the ifindex (u32 @14) and flags (u32 @18) come from the packet; the
 * program returns what the helper returned and keeps the original packet. */
#include "skb_helpers.h"

static long (*bpf_clone_redirect)(struct __sk_buff *skb, __u32 ifindex, __u64 flags) = (void *)13;

SEC("tc")
int clone_to(struct __sk_buff *skb)
{
	__u32 in[2];

	if (bpf_skb_load_bytes(skb, 14, in, 8))
		return 2;
	return bpf_clone_redirect(skb, in[0], in[1]);
}

char _license[] SEC("license") = "GPL";
