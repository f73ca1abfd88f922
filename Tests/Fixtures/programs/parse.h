/* parse.h — a small Ethernet/VLAN/IPv4/IPv6/L4 parser shared by the realistic programs. */
#pragma once
#include "progs.h"

struct flow {
	u8 family;      /* 4, 6, or 0 for not IP */
	u8 proto;       /* L4 protocol */
	u16 sport, dport; /* network order; 0 when absent (fragments, ICMP, other) */
	u8 vlan;        /* 1 when a 802.1Q/802.1ad tag was skipped */
	u8 fragment;    /* 1 for a non-first IPv4 fragment */
	u32 src[4], dst[4];
	u16 l3_off, l4_off; /* offsets from data */
};

#define PARSE_OK 0
#define PARSE_NOT_IP 1
#define PARSE_MALFORMED 2

/* Parses the headers at data; fills `f`. Never reads past data_end. */
INLINE int parse_flow(struct __sk_buff *skb, struct flow *f)
{
	void *data = DATA(skb), *end = DATA_END(skb);
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return PARSE_MALFORMED;
	u16 proto = eth->proto;
	u32 off = sizeof(*eth);
	if (proto == htons(ETH_P_8021Q) || proto == htons(ETH_P_8021AD)) {
		struct vlanhdr *vh = data + off;
		if ((void *)(vh + 1) > end)
			return PARSE_MALFORMED;
		proto = vh->proto;
		off += sizeof(*vh);
		f->vlan = 1;
	}
	f->l3_off = off;
	if (proto == htons(ETH_P_IP)) {
		struct iphdr *ip = data + off;
		if ((void *)(ip + 1) > end)
			return PARSE_MALFORMED;
		u32 ihl = (ip->ihl_ver & 0xf) * 4;
		if ((ip->ihl_ver >> 4) != 4 || ihl < sizeof(*ip))
			return PARSE_MALFORMED;
		if (data + off + ihl > end)
			return PARSE_MALFORMED;
		f->family = 4;
		f->proto = ip->protocol;
		f->src[0] = ip->saddr;
		f->dst[0] = ip->daddr;
		if (ip->frag_off & htons(0x1fff)) {
			f->fragment = 1;
			return PARSE_OK;
		}
		off += ihl;
	} else if (proto == htons(ETH_P_IPV6)) {
		struct ip6hdr *ip6 = data + off;
		if ((void *)(ip6 + 1) > end)
			return PARSE_MALFORMED;
		if ((ip6->vtc_flow & 0xf0) != 0x60)
			return PARSE_MALFORMED;
		f->family = 6;
		f->proto = ip6->nexthdr;
#pragma unroll
		for (int i = 0; i < 4; i++) {
			f->src[i] = ip6->saddr[i];
			f->dst[i] = ip6->daddr[i];
		}
		off += sizeof(*ip6);
	} else {
		return PARSE_NOT_IP;
	}
	f->l4_off = off;
	if (f->proto == IPPROTO_TCP) {
		struct tcphdr *tcp = data + off;
		if ((void *)(tcp + 1) > end)
			return PARSE_MALFORMED;
		f->sport = tcp->source;
		f->dport = tcp->dest;
	} else if (f->proto == IPPROTO_UDP) {
		struct udphdr *udp = data + off;
		if ((void *)(udp + 1) > end)
			return PARSE_MALFORMED;
		f->sport = udp->source;
		f->dport = udp->dest;
	} else if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		struct icmphdr *icmp = data + off;
		if ((void *)icmp + 4 > end)
			return PARSE_MALFORMED;
		f->sport = icmp->type; /* type and code stand in for ports */
		f->dport = icmp->code;
	}
	return PARSE_OK;
}
