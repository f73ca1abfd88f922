/* A VLAN tagger/untagger with skb_vlan_push/pop. vlan_tag tags untagged frames with the VID
 * its source MAC maps to (a hash map, filled by vlan_set_vid) or default_vid; vlan_untag removes
 * the outer tag (accelerated or in the packet); vlan_qinq pushes two tags; vlan_translate
 * swaps one VID for another. Each stamps the skb's tag state (vlan_present, vlan_proto,
 * vlan_tci, len) over the source MAC so that test-run shows it: the accelerated tag itself
 * is not part of test-run's out=. */
#include "parse.h"

struct mac_key { u8 addr[6]; u16 pad; };
struct { __uint(type, MAP_HASH); __uint(max_entries, 16); __type(key, struct mac_key); __type(value, u16); } vid_by_mac SEC(".maps");
struct { __uint(type, MAP_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } vlan_stats SEC(".maps");

u16 default_vid = 100;
const volatile u16 translate_from = 10, translate_to = 20;

enum { S_TAGGED, S_UNTAGGED, S_SKIPPED, S_FAILED };

INLINE void stat(u32 which)
{
	u64 *c = map_lookup_elem(&vlan_stats, &which);
	if (c)
		*c += 1;
}

INLINE void stamp(struct __sk_buff *skb, long result)
{
	OUT(skb, 6, u8, skb->vlan_present);
	OUT(skb, 7, u8, (u8)result);
	OUT(skb, 8, u16, htons(skb->vlan_proto));
	OUT(skb, 10, u16, skb->vlan_tci);
	OUT(skb, 0, u16, skb->len);
	OUT(skb, 2, u16, htons(skb->protocol));
}

INLINE int in_band_tag(struct __sk_buff *skb)
{
	struct ethhdr *eth = DATA(skb);
	if ((void *)(eth + 1) > DATA_END(skb))
		return -1;
	return eth->proto == htons(ETH_P_8021Q) || eth->proto == htons(ETH_P_8021AD);
}

SEC("tc")
int vlan_tag(struct __sk_buff *skb)
{
	int tagged = in_band_tag(skb);
	if (tagged < 0)
		return TC_ACT_SHOT;
	if (tagged || skb->vlan_present) {
		stat(S_SKIPPED);
		stamp(skb, 0);
		return TC_ACT_OK;
	}
	struct mac_key key = {};
	if (skb_load_bytes(skb, 6, key.addr, 6))
		return TC_ACT_SHOT;
	u16 *vid = map_lookup_elem(&vid_by_mac, &key);
	u16 tci = vid ? *vid : default_vid;
	long r = skb_vlan_push(skb, htons(ETH_P_8021Q), tci);
	stat(r ? S_FAILED : S_TAGGED);
	stamp(skb, r);
	return r ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int vlan_untag(struct __sk_buff *skb)
{
	int tagged = in_band_tag(skb);
	if (tagged < 0)
		return TC_ACT_SHOT;
	if (!tagged && !skb->vlan_present) {
		stat(S_SKIPPED);
		stamp(skb, 0);
		return TC_ACT_OK;
	}
	long r = skb_vlan_pop(skb);
	stat(r ? S_FAILED : S_UNTAGGED);
	stamp(skb, r);
	return r ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Two pushes: the second moves the first tag into the packet. Then pop once. */
SEC("tc")
int vlan_qinq(struct __sk_buff *skb)
{
	long r1 = skb_vlan_push(skb, htons(ETH_P_8021Q), 7);
	long r2 = skb_vlan_push(skb, htons(ETH_P_8021AD), 0x2000 | 300);
	stamp(skb, r1 | r2);
	return r1 || r2 ? TC_ACT_SHOT : TC_ACT_OK;
}

/* VID translate_from -> translate_to on in-band or accelerated tags; other VIDs untouched. */
SEC("tc")
int vlan_translate(struct __sk_buff *skb)
{
	u16 tci;
	if (skb->vlan_present) {
		tci = skb->vlan_tci;
	} else {
		struct { struct ethhdr eth; struct vlanhdr vh; } *hdr = DATA(skb);
		if ((void *)(hdr + 1) > DATA_END(skb) || hdr->eth.proto != htons(ETH_P_8021Q))
			return TC_ACT_OK;
		tci = ntohs(hdr->vh.tci);
	}
	if ((tci & 0xfff) != translate_from)
		return TC_ACT_OK;
	long r = skb_vlan_pop(skb);
	if (!r)
		r = skb_vlan_push(skb, htons(ETH_P_8021Q), (tci & 0xf000) | translate_to);
	stamp(skb, r);
	return r ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Command: 14 bytes Ethernet, then 6 bytes MAC, then the u16 VID. Returns the update's result. */
SEC("tc")
int vlan_set_vid(struct __sk_buff *skb)
{
	struct { u8 addr[6]; u16 vid; } cmd;
	if (skb_load_bytes(skb, 14, &cmd, sizeof(cmd)))
		return -1000;
	struct mac_key key = {};
	__builtin_memcpy(key.addr, cmd.addr, 6);
	return map_update_elem(&vid_by_mac, &key, &cmd.vid, ANY);
}

LICENSE;
