/* Source NAT for IPv4 TCP/UDP/ICMP echo and prefix translation for IPv6, with the checksum
 * helpers: nat_egress rewrites the source of 10.0.0.0/24 to 192.0.2.1 and a port (or echo id)
 * taken from next_port, remembering the mapping in two hash maps; nat_ingress rewrites replies
 * back. IPv4 uses l3/l4_csum_replace with the old and new values; the ingress side and IPv6 use
 * csum_diff and pass the difference. Every checksum in out= must stay correct. */
#include "parse.h"

struct nat_key { u32 addr; u16 port; u8 proto; u8 pad; };
struct nat_val { u32 addr; u16 port; u16 pad; };

struct { __uint(type, MAP_HASH); __uint(max_entries, 64); __type(key, struct nat_key); __type(value, struct nat_val); } nat_out SEC(".maps");
struct { __uint(type, MAP_HASH); __uint(max_entries, 64); __type(key, struct nat_key); __type(value, struct nat_val); } nat_in SEC(".maps");

const volatile u32 inside_net = 0x0000000a;      /* 10.0.0.0/24 in network order */
const volatile u32 inside_mask = 0x00ffffff;
const volatile u32 outside_addr = 0x010200c0;    /* 192.0.2.1 */
const volatile u32 prefix6_in[2] = { 0x000000fd, 0 };        /* fd00::/64 */
const volatile u32 prefix6_out[2] = { 0xb80d0120, 0x01000000 }; /* 2001:db8:0:1::/64 */
u16 next_port = 40000;
u32 translated, untranslated;

INLINE int l4_check_offset(struct flow *f)
{
	if (f->proto == IPPROTO_TCP) return f->l4_off + 16;
	if (f->proto == IPPROTO_UDP) return f->l4_off + 6;
	return f->l4_off + 2; /* ICMP */
}

INLINE u16 l4_port_offset(struct flow *f, int dest)
{
	if (f->proto == IPPROTO_ICMP) return f->l4_off + 4; /* the echo id */
	return f->l4_off + (dest ? 2 : 0);
}

INLINE int read_port(struct __sk_buff *skb, struct flow *f, int dest, u16 *port)
{
	return skb_load_bytes(skb, l4_port_offset(f, dest), port, 2);
}

INLINE int nat6(struct __sk_buff *skb, struct flow *f, int egress)
{
	u32 off = f->l3_off + (egress ? 8 : 24); /* saddr : daddr */
	u32 old[4], new[4];
	if (skb_load_bytes(skb, off, old, 16))
		return TC_ACT_SHOT;
	const volatile u32 *from = egress ? prefix6_in : prefix6_out;
	const volatile u32 *to = egress ? prefix6_out : prefix6_in;
	if (old[0] != from[0] || old[1] != from[1]) {
		untranslated++;
		return TC_ACT_OK;
	}
	new[0] = to[0]; new[1] = to[1]; new[2] = old[2]; new[3] = old[3];
	s64 diff = csum_diff(old, 16, new, 16, 0);
	if (diff < 0)
		return TC_ACT_SHOT;
	if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP || f->proto == IPPROTO_ICMPV6) {
		u64 flags = F_PSEUDO_HDR | (f->proto == IPPROTO_UDP ? F_MARK_MANGLED_0 : 0);
		if (l4_csum_replace(skb, l4_check_offset(f), 0, diff, flags))
			return TC_ACT_SHOT;
	}
	if (skb_store_bytes(skb, off, new, 16, 0))
		return TC_ACT_SHOT;
	translated++;
	return TC_ACT_OK;
}

SEC("tc")
int nat_egress(struct __sk_buff *skb)
{
	struct flow f = {};
	if (parse_flow(skb, &f) != PARSE_OK)
		return TC_ACT_OK;
	if (f.family == 6)
		return nat6(skb, &f, 1);
	if ((f.src[0] & inside_mask) != inside_net || f.fragment) {
		untranslated++;
		return TC_ACT_OK;
	}
	if (f.proto != IPPROTO_TCP && f.proto != IPPROTO_UDP && !(f.proto == IPPROTO_ICMP && f.sport == 8))
		return TC_ACT_SHOT;
	u16 port;
	if (read_port(skb, &f, 0, &port))
		return TC_ACT_SHOT;
	struct nat_key key = { .addr = f.src[0], .port = port, .proto = f.proto };
	struct nat_val *mapped = map_lookup_elem(&nat_out, &key);
	struct nat_val val;
	if (mapped) {
		val = *mapped;
	} else {
		val.addr = outside_addr;
		val.port = htons(next_port);
		val.pad = 0;
		next_port++;
		if (map_update_elem(&nat_out, &key, &val, NOEXIST))
			return TC_ACT_SHOT;
		struct nat_key back = { .addr = val.addr, .port = val.port, .proto = f.proto };
		struct nat_val orig = { .addr = f.src[0], .port = port };
		if (map_update_elem(&nat_in, &back, &orig, NOEXIST))
			return TC_ACT_SHOT;
	}
	int check = l4_check_offset(&f);
	u64 mangled = f.proto == IPPROTO_UDP ? F_MARK_MANGLED_0 : 0;
	/* The address is in the TCP/UDP pseudo header, not in ICMP's checksum. */
	if (f.proto != IPPROTO_ICMP &&
	    l4_csum_replace(skb, check, f.src[0], val.addr, F_PSEUDO_HDR | mangled | 4))
		return TC_ACT_SHOT;
	if (l4_csum_replace(skb, check, port, val.port, mangled | 2))
		return TC_ACT_SHOT;
	if (l3_csum_replace(skb, f.l3_off + 10, f.src[0], val.addr, 4))
		return TC_ACT_SHOT;
	if (skb_store_bytes(skb, f.l3_off + 12, &val.addr, 4, 0))
		return TC_ACT_SHOT;
	if (skb_store_bytes(skb, l4_port_offset(&f, 0), &val.port, 2, 0))
		return TC_ACT_SHOT;
	translated++;
	return TC_ACT_OK;
}

SEC("tc")
int nat_ingress(struct __sk_buff *skb)
{
	struct flow f = {};
	if (parse_flow(skb, &f) != PARSE_OK)
		return TC_ACT_OK;
	if (f.family == 6)
		return nat6(skb, &f, 0);
	if (f.dst[0] != outside_addr || f.fragment) {
		untranslated++;
		return TC_ACT_OK;
	}
	u16 port;
	int dest = f.proto != IPPROTO_ICMP;
	if (read_port(skb, &f, dest, &port))
		return TC_ACT_SHOT;
	struct nat_key key = { .addr = f.dst[0], .port = port, .proto = f.proto };
	struct nat_val *orig = map_lookup_elem(&nat_in, &key);
	if (!orig)
		return TC_ACT_SHOT;
	u32 old_addr = f.dst[0], new_addr = orig->addr;
	u32 old_port = port, new_port = orig->port;  /* csum_diff works on 4-byte words */
	s64 addr_diff = csum_diff(&old_addr, 4, &new_addr, 4, 0);
	s64 port_diff = csum_diff(&old_port, 4, &new_port, 4, 0);
	if (addr_diff < 0 || port_diff < 0)
		return TC_ACT_SHOT;
	int check = l4_check_offset(&f);
	u64 mangled = f.proto == IPPROTO_UDP ? F_MARK_MANGLED_0 : 0;
	if (f.proto != IPPROTO_ICMP && l4_csum_replace(skb, check, 0, addr_diff, F_PSEUDO_HDR | mangled))
		return TC_ACT_SHOT;
	if (l4_csum_replace(skb, check, 0, port_diff, mangled))
		return TC_ACT_SHOT;
	if (l3_csum_replace(skb, f.l3_off + 10, 0, addr_diff, 0))
		return TC_ACT_SHOT;
	/* Direct packet access for the stores: the helpers above invalidated old pointers. */
	void *data = DATA(skb), *end = DATA_END(skb);
	u32 l3 = f.l3_off, l4 = l4_port_offset(&f, dest);
	if (l3 > 18 || l4 > 80)
		return TC_ACT_SHOT;
	if (data + l3 + 20 > end || data + l4 + 2 > end)
		return TC_ACT_SHOT;
	*(u32 *)(data + l3 + 16) = new_addr;
	*(u16 *)(data + l4) = new_port;
	translated++;
	return TC_ACT_OK;
}

/* Writes next_port, translated, untranslated into the packet at offset 14. */
SEC("tc")
int nat_stats(struct __sk_buff *skb)
{
	u32 out[3] = { next_port, translated, untranslated };
	return skb_store_bytes(skb, 14, out, sizeof(out), 0);
}

LICENSE;
