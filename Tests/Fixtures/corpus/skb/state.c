/* skb state helpers, each program driven by the packet and writing its results into it:
 * ECN marking, checksum level, packet type, timestamps, loads relative to a header, the xfrm
 * state, csum_update, socket and route facts, and adjust_room with an inner L2 header. */
#include "skb_helpers.h"

/* Returns what bpf_skb_ecn_set_ce returned; the packet shows the mark and the checksum. */
SEC("tc")
int ecn_mark(struct __sk_buff *skb)
{
	return bpf_skb_ecn_set_ce(skb);
}

/* Eight operations (bytes @14..21), their results as s32 @22..53. */
SEC("tc")
int csum_levels(struct __sk_buff *skb)
{
	__u8 ops[8];
	__s32 ret[8];

	if (bpf_skb_load_bytes(skb, 14, ops, 8))
		return 2;
	for (int i = 0; i < 8; i++)
		ret[i] = bpf_csum_level(skb, ops[i]);
	bpf_skb_store_bytes(skb, 22, ret, 32, 0);
	return 0;
}

/* The new type (u32 @14); the result @18 and pkt_type after the call @22. */
SEC("tc")
int change_type(struct __sk_buff *skb)
{
	__u32 type, out[2];

	if (bpf_skb_load_bytes(skb, 14, &type, 4))
		return 2;
	out[0] = bpf_skb_change_type(skb, type);
	out[1] = skb->pkt_type;
	bpf_skb_store_bytes(skb, 18, out, 8, 0);
	return 0;
}

/* The stamp (u64 @14) and clock (u32 @22); the result @26, tstamp @30 and tstamp_type @38. */
SEC("tc")
int set_tstamp(struct __sk_buff *skb)
{
	struct { __u64 stamp; __u32 type; } __attribute__((packed)) in;
	struct { __s32 ret; __u64 stamp; __u8 type; } __attribute__((packed)) out;

	if (bpf_skb_load_bytes(skb, 14, &in, sizeof(in)))
		return 2;
	out.ret = bpf_skb_set_tstamp(skb, in.stamp, in.type);
	out.stamp = skb->tstamp;
	out.type = skb->tstamp_type;
	bpf_skb_store_bytes(skb, 26, &out, sizeof(out), 0);
	return 0;
}

/* Offset (u32 @14) and header (u32 @18); the result @22 and the 8 bytes read @26. */
SEC("tc")
int load_relative(struct __sk_buff *skb)
{
	__u32 in[2];
	struct { __s32 ret; __u8 bytes[8]; } out;

	if (bpf_skb_load_bytes(skb, 14, in, 8))
		return 2;
	__builtin_memset(out.bytes, 0xee, 8);
	out.ret = bpf_skb_load_bytes_relative(skb, in[0], out.bytes, 8, in[1]);
	bpf_skb_store_bytes(skb, 22, &out, sizeof(out), 0);
	return 0;
}

/* Facts about an skb of a test-run: results as s64 @14.. */
SEC("tc")
int skb_facts(struct __sk_buff *skb)
{
	__s64 out[7];
	__u8 xfrm[16];

	__builtin_memset(xfrm, 0x55, sizeof(xfrm));
	out[0] = bpf_csum_update(skb, 0x1234);
	out[1] = bpf_skb_get_xfrm_state(skb, 0, xfrm, sizeof(xfrm), 0);
	out[2] = bpf_get_socket_uid(skb);
	out[3] = bpf_get_route_realm(skb);
	out[4] = bpf_skb_cgroup_classid(skb);
	out[5] = bpf_get_numa_node_id();
	out[6] = xfrm[0] | xfrm[15];
	bpf_skb_store_bytes(skb, 14, out, sizeof(out), 0);
	return 0;
}

#define ADJ_ROOM_MAC 1
#define F_ENCAP_L3_IPV4 (1ULL << 1)
#define F_ENCAP_L4_UDP (1ULL << 4)
#define F_ENCAP_L2_ETH (1ULL << 6)
#define F_ENCAP_L2(len) (((__u64)(len) & 0xff) << 56)

/* Opens room for an outer IPv4 + UDP header and an inner Ethernet header of the length the
 * packet's byte @14 names (as VXLAN over a VLAN-tagged inner frame needs 18). */
SEC("tc")
int encap_l2(struct __sk_buff *skb)
{
	__u8 sel;

	if (bpf_skb_load_bytes(skb, 14 + 20 + 8, &sel, 1))
		return 2;
	switch (sel) {
	case 0: return bpf_skb_adjust_room(skb, 20 + 8 + 14, ADJ_ROOM_MAC, F_ENCAP_L3_IPV4 | F_ENCAP_L4_UDP | F_ENCAP_L2_ETH | F_ENCAP_L2(14));
	case 1: return bpf_skb_adjust_room(skb, 20 + 8 + 18, ADJ_ROOM_MAC, F_ENCAP_L3_IPV4 | F_ENCAP_L4_UDP | F_ENCAP_L2_ETH | F_ENCAP_L2(18));
	case 2: return bpf_skb_adjust_room(skb, 20 + 8 + 10, ADJ_ROOM_MAC, F_ENCAP_L3_IPV4 | F_ENCAP_L4_UDP | F_ENCAP_L2_ETH | F_ENCAP_L2(10));
	case 3: return bpf_skb_adjust_room(skb, 20 + 8, ADJ_ROOM_MAC, F_ENCAP_L3_IPV4 | F_ENCAP_L4_UDP | F_ENCAP_L2_ETH | F_ENCAP_L2(30));
	default: return bpf_skb_adjust_room(skb, 20 + 8 + 22, ADJ_ROOM_MAC, F_ENCAP_L3_IPV4 | F_ENCAP_L2_ETH | F_ENCAP_L2(22));
	}
}

/* NAT64's first step: the byte @60 picks the new protocol (0 IPv6, 1 IPv4, 2 ARP, 3 IPv6 with a
 * flag); the result is returned and the new protocol and length are written @14. */
SEC("tc")
int change_proto(struct __sk_buff *skb)
{
	__u8 sel;
	long ret;
	__u32 out[2];

	if (bpf_skb_load_bytes(skb, 60, &sel, 1))
		return 2;
	switch (sel) {
	case 0: ret = bpf_skb_change_proto(skb, __builtin_bswap16(0x86dd), 0); break;
	case 1: ret = bpf_skb_change_proto(skb, __builtin_bswap16(0x0800), 0); break;
	case 2: ret = bpf_skb_change_proto(skb, __builtin_bswap16(0x0806), 0); break;
	default: ret = bpf_skb_change_proto(skb, __builtin_bswap16(0x86dd), 1); break;
	}
	out[0] = skb->protocol;
	out[1] = skb->len;
	bpf_skb_store_bytes(skb, 14, out, 8, 0);
	return ret;
}

#define F_NO_CSUM_RESET (1ULL << 5)

/* csum_level after skb_adjust_room: the byte @60 picks growing by 8 with or without
 * BPF_F_ADJ_ROOM_NO_CSUM_RESET; returns adjust's result * 100 + the level query (or its errno). */
SEC("tc")
int level_after_room(struct __sk_buff *skb)
{
	__u8 sel;
	long room;

	if (bpf_skb_load_bytes(skb, 60, &sel, 1))
		return 2;
	bpf_csum_level(skb, 1);
	bpf_csum_level(skb, 1);
	room = bpf_skb_adjust_room(skb, 8, ADJ_ROOM_MAC, sel ? F_NO_CSUM_RESET : 0);
	return room * 100 + bpf_csum_level(skb, 0);
}

char _license[] SEC("license") = "GPL";
