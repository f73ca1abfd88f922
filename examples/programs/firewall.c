/* The firewall application: DNS must go through the resolver on another path, so UDP to
 * port 53 is dropped here; IP frames cut short before their transport header are dropped as
 * malformed; everything else passes. Its drop reasons are counted in a map. */
#include "tcx.h"

/* Drops by reason: 0 DNS, 1 malformed. */
struct {
	__uint(type, MAP_ARRAY);
	__type(key, u32);
	__type(value, u64);
	__uint(max_entries, 2);
} fw_drops SEC(".maps");

static inline int drop(u32 reason)
{
	u64 *value = map_lookup_elem(&fw_drops, &reason);
	if (value)
		__sync_fetch_and_add(value, 1);
	return TCX_DROP;
}

SEC("tcx/ingress") int filter(struct __sk_buff *skb)
{
	struct l4 p = parse(skb);
	if (p.family && !p.complete)
		return drop(1);
	if (p.proto == 17 && p.dport == 53)
		return drop(0);
	return TCX_PASS;
}

char _license[] SEC("license") = "GPL";
