/* One section per size-changing helper call; r0 is the helper's return value and the packet
 * shows the effect. Each also stamps len and data_end - data after the call at the packet end. */
#include "tc.h"

INLINE int stamp(struct __sk_buff *skb, long ret)
{
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 4 <= e) {
		u8 *p = d;
		p[0] = skb->len; p[1] = skb->len >> 8; p[2] = skb->protocol; p[3] = skb->protocol >> 8;
	}
	return (int)ret;
}

#define CASE(name, call) SEC("tc/" #name) int name(struct __sk_buff *skb) { return stamp(skb, call); }

CASE(tail_grow, skb_change_tail(skb, skb->len + 7, 0))
CASE(tail_trim, skb_change_tail(skb, skb->len - 5, 0))
CASE(tail_min, skb_change_tail(skb, 13, 0))
CASE(tail_at_min, skb_change_tail(skb, 14, 0))
CASE(tail_max, skb_change_tail(skb, 16064, 0))
CASE(tail_over, skb_change_tail(skb, 16065, 0))
CASE(tail_flags, skb_change_tail(skb, skb->len, 1))
CASE(head_grow, skb_change_head(skb, 6, 0))
CASE(head_flags, skb_change_head(skb, 6, 2))
CASE(head_over, skb_change_head(skb, 20000, 0))
CASE(pull_ok, skb_pull_data(skb, 20))
CASE(pull_all, skb_pull_data(skb, skb->len))
CASE(pull_over, skb_pull_data(skb, skb->len + 1))
CASE(room_mac_grow, skb_adjust_room(skb, 8, 1, 0))
CASE(room_net_grow, skb_adjust_room(skb, 8, 0, 0))
CASE(room_mac_shrink, skb_adjust_room(skb, -4, 1, 0))
CASE(room_net_shrink, skb_adjust_room(skb, -4, 0, 0))
CASE(room_too_much, skb_adjust_room(skb, -4000, 0, 0))
CASE(room_huge, skb_adjust_room(skb, 5000, 0, 0))
CASE(room_mode, skb_adjust_room(skb, 4, 2, 0))
CASE(room_flags, skb_adjust_room(skb, 4, 0, 1ULL << 9))
CASE(room_encap4, skb_adjust_room(skb, 20, 1, (1 << 1)))
CASE(room_encap6, skb_adjust_room(skb, 40, 1, (1 << 2)))
CASE(room_encap_both, skb_adjust_room(skb, 40, 1, (1 << 1) | (1 << 2)))
CASE(room_decap6, skb_adjust_room(skb, -20, 1, (1 << 8)))
CASE(room_decap_grow, skb_adjust_room(skb, 20, 1, (1 << 7)))
CASE(vlan_push, skb_vlan_push(skb, bswap16(0x8100), 0x123))
CASE(vlan_push_ad, skb_vlan_push(skb, bswap16(0x88a8), 0xfff))
CASE(vlan_push_odd, skb_vlan_push(skb, bswap16(0x0800), 7))
CASE(vlan_pop, skb_vlan_pop(skb))

SEC("tc/vlan_push2") int vlan_push2(struct __sk_buff *skb)
{
	long r = skb_vlan_push(skb, bswap16(0x8100), 5);
	r = r * 16 + skb_vlan_push(skb, bswap16(0x88a8), 6);
	stamp(skb, 0);
	return r * 256 + skb->vlan_tci * 16 + skb->vlan_present;
}

SEC("tc/vlan_pop2") int vlan_pop2(struct __sk_buff *skb)
{
	long r = skb_vlan_pop(skb);
	stamp(skb, 0);
	return r * 65536 + skb->vlan_tci * 16 + skb->vlan_present + (skb->vlan_proto << 20);
}

SEC("tc/vlan_roundtrip") int vlan_roundtrip(struct __sk_buff *skb)
{
	long r = skb_vlan_push(skb, bswap16(0x8100), 9);
	r += skb_vlan_push(skb, bswap16(0x8100), 10);
	r += skb_vlan_pop(skb);
	stamp(skb, 0);
	return r * 65536 + skb->vlan_tci * 16 + skb->vlan_present;
}

SEC("tc/store") int store(struct __sk_buff *skb)
{
	u64 v = 0x1122334455667788ULL;
	long r0 = skb_store_bytes(skb, 14, &v, 8, 0);
	long r1 = skb_store_bytes(skb, skb->len - 4, &v, 8, 0);
	long r2 = skb_store_bytes(skb, 0, &v, 2, 4);
	long r3 = skb_store_bytes(skb, 20, &v, 3, 2);
	u32 h = skb->hash;
	u64 w = 0;
	long r4 = skb_load_bytes(skb, 16, &w, 8);
	long r5 = skb_load_bytes(skb, skb->len - 2, &w, 4);
	stamp(skb, 0);
	return (r0 & 0xf) | (r1 & 0xff) << 4 | (r2 & 0xff) << 12 | (r3 & 0xf) << 20 | (r4 & 0xf) << 24 | (r5 & 0xf) << 28 | (w != 0) << 31 | h;
}

SEC("tc/hash") int hash(struct __sk_buff *skb)
{
	u32 a = skb->hash;
	set_hash(skb, 0xabcd);
	u32 b = skb->hash, c = get_hash_recalc(skb);
	set_hash_invalid(skb);
	u32 d = skb->hash;
	return (a == 0) | (b == 0xabcd) << 1 | (c == 0xabcd) << 2 | (d == 0) << 3;
}

SEC("tc/redirect") int redir(struct __sk_buff *skb)
{
	long a = redirect(3, 2);
	long b = redirect_peer(3, 1);
	return (a << 8 | b << 4) + redirect(5, 1);
}
char _license[] SEC("license") = "GPL";
