/* Pushes one 802.1Q tag per run. Under test-run's `repeat` every run works on the same skb, so
 * the tags pile up until the kernel cannot grow the skb's head any more (ENOMEM). */
#include "net.h"

static long (*const skb_vlan_push)(struct __sk_buff *skb, __u16 proto, __u16 tci) = (void *)18;

SEC("tc")
int push_tag(struct __sk_buff *skb)
{
	return (int)skb_vlan_push(skb, __builtin_bswap16(0x8100), 7);
}

char LICENSE[] SEC("license") = "GPL";
