/* Neighbour redirectors. The target ifindex is the IPv4 header's identification field.
 * neigh_plain lets the kernel resolve the next hop from the route; neigh_hop names the IPv4
 * source address as the next hop; neigh_bad passes a short params struct and a flag. */
#include "net.h"

static __u32 target(struct __sk_buff *skb)
{
	__u8 id[2];

	if (skb_load_bytes(skb, 18, id, 2) < 0)
		return 0;
	return (__u32)id[0] << 8 | id[1];
}

SEC("tc")
int neigh_plain(struct __sk_buff *skb)
{
	return (int)redirect_neigh(target(skb), 0, 0, 0);
}

SEC("tc")
int neigh_hop(struct __sk_buff *skb)
{
	struct redirect_hop hop = { .family = 2 };

	if (skb_load_bytes(skb, 26, &hop.address[0], 4) < 0)
		return -100;
	return (int)redirect_neigh(target(skb), &hop, sizeof(hop), 0);
}

SEC("tc")
int neigh_bad(struct __sk_buff *skb)
{
	struct redirect_hop hop = { .family = 2 };
	long a = redirect_neigh(target(skb), &hop, 8, 0);
	long b = redirect_neigh(target(skb), 0, 0, 1);
	return (int)(a * 16 + b);
}

char LICENSE[] SEC("license") = "GPL";
