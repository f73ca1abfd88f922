/* The little the example programs need instead of libbpf: types, the leading __sk_buff
 * fields, BTF map macros and helpers by id. Self-contained so any clang builds it. */
#pragma once
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

struct __sk_buff {
	u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto;
	u32 priority, ingress_ifindex, ifindex, tc_index, cb[5], hash, tc_classid, data, data_end;
};

/* tcx and netkit verdicts (the same numbers as TC_ACT_UNSPEC/OK/SHOT/REDIRECT). */
#define TCX_NEXT -1
#define TCX_PASS 0
#define TCX_DROP 2
#define TCX_REDIRECT 7
#define BPF_F_INGRESS 1
#define MAP_ARRAY 2

static void *(*const map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const redirect)(u32 ifindex, u64 flags) = (void *)23;
static long (*const skb_load_bytes)(const void *skb, u32 offset, void *to, u32 len) = (void *)26;

/* What the example programs want to know about a frame. */
struct l4 {
	u8 family;   /* 4, 6, or 0 when the frame is not IP */
	u8 proto;    /* IPPROTO_*, 0 when unknown */
	u8 vlan;     /* 1 when one 802.1Q tag was skipped */
	u8 complete; /* 1 when the transport header is all there */
	u16 dport;   /* host order; 0 without ports */
};

/* Parses Ethernet, one optional VLAN tag, IPv4 (any header length) or IPv6 (no extension
 * headers), and the first bytes of TCP/UDP/ICMP. Reads through skb_load_bytes, which fails
 * on a truncated frame instead of reading past its end. */
static inline __attribute__((always_inline)) struct l4 parse(struct __sk_buff *skb)
{
	struct l4 r = {0};
	u8 eth[4];
	u32 off = 12;
	if (skb_load_bytes(skb, off, eth, 2))
		return r;
	u16 type = (u16)eth[0] << 8 | eth[1];
	if (type == 0x8100) {
		r.vlan = 1;
		off += 4;
		if (skb_load_bytes(skb, off, eth, 2))
			return r;
		type = (u16)eth[0] << 8 | eth[1];
	}
	off += 2;
	u8 ip[40];
	if (type == 0x0800) {
		if (skb_load_bytes(skb, off, ip, 20))
			return r;
		r.family = 4;
		r.proto = ip[9];
		off += (ip[0] & 15) * 4;
	} else if (type == 0x86dd) {
		if (skb_load_bytes(skb, off, ip, 40))
			return r;
		r.family = 6;
		r.proto = ip[6];
		off += 40;
	} else {
		return r;
	}
	u8 ports[8];
	u32 need = r.proto == 6 ? 20 : 8; /* TCP's fixed header; UDP and ICMP's first 8 bytes */
	if (skb_load_bytes(skb, off, ports, 4))
		return r;
	if (r.proto == 6 || r.proto == 17)
		r.dport = (u16)ports[2] << 8 | ports[3];
	r.complete = skb_load_bytes(skb, off + need - 1, ports, 1) == 0;
	return r;
}
