/* The monitor application: two observers that count and never decide (they return NEXT,
 * so the packet goes on to the next program). Their counts live in maps the summary prints. */
#include "tcx.h"

/* Frames per protocol: 0 other, 1 TCP, 2 UDP, 3 ICMP, 4 ICMPv6. */
struct {
	__uint(type, MAP_ARRAY);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, 5);
} mon_protocols SEC(".maps");

/* Frames per kind: 0 IPv4, 1 IPv6, 2 not IP, 3 VLAN-tagged, 4 truncated. */
struct {
	__uint(type, MAP_ARRAY);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, 5);
} mon_kinds SEC(".maps");

static inline void bump(void *map, u32 key)
{
	u64 *value = map_lookup_elem(map, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
}

SEC("tcx/ingress") int count_protocols(struct __sk_buff *skb)
{
	struct l4 p = parse(skb);
	u32 key = 0;
	switch (p.proto) {
	case 6: key = 1; break;
	case 17: key = 2; break;
	case 1: key = 3; break;
	case 58: key = 4; break;
	}
	bump(&mon_protocols, key);
	return TCX_NEXT;
}

SEC("tcx/ingress") int count_kinds(struct __sk_buff *skb)
{
	struct l4 p = parse(skb);
	bump(&mon_kinds, p.family == 4 ? 0 : p.family == 6 ? 1 : 2);
	/* A device takes the outer tag out of a received frame before tc (vlan_present); a tag
	 * still in the packet is an inner one, or the frame is being sent. */
	if (skb->vlan_present || p.vlan)
		bump(&mon_kinds, 3);
	if (p.family && !p.complete)
		bump(&mon_kinds, 4);
	return TCX_NEXT;
}

char _license[] SEC("license") = "GPL";
