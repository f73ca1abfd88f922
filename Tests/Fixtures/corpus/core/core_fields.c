/* Reads __sk_buff and packet headers through CO-RE (vmlinux.h types, so every access is a
 * byte-offset relocation) and reports what it saw: header fields and bitfields go into the
 * destination MAC, the return value is a port, a length or a sequence number. */
#include "core.h"

SEC("tc")
int read_headers(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	__u16 proto = eth->h_proto;
	void *l3 = eth + 1;
	if (proto == __builtin_bswap16(ETH_P_8021Q)) {
		struct vlan_hdr *vlan = l3;
		if ((void *)(vlan + 1) > data_end)
			return TC_ACT_SHOT;
		eth->h_dest[0] = __builtin_bswap16(vlan->h_vlan_TCI) & 0xfff;
		proto = vlan->h_vlan_encapsulated_proto;
		l3 = vlan + 1;
	}
	if (proto == __builtin_bswap16(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > data_end)
			return TC_ACT_SHOT;
		__u8 ihl = read_bitfield(ip, ihl);
		eth->h_dest[1] = ihl;
		eth->h_dest[2] = read_bitfield(ip, version);
		eth->h_dest[3] = ip->ttl;
		eth->h_dest[4] = ip->protocol;
		eth->h_dest[5] = ip->daddr >> 24;
		if (ihl != 5)
			return 1000 + ihl;
		if (ip->protocol == 6) {
			struct tcphdr *tcp = (void *)(ip + 1);
			if ((void *)(tcp + 1) > data_end)
				return TC_ACT_SHOT;
			eth->h_source[0] = read_bitfield(tcp, doff);
			eth->h_source[1] = read_bitfield(tcp, syn) | read_bitfield(tcp, ack) << 1 |
					   read_bitfield(tcp, fin) << 2 | read_bitfield(tcp, psh) << 3;
			return __builtin_bswap16(tcp->dest);
		}
		if (ip->protocol == 17) {
			struct udphdr *udp = (void *)(ip + 1);
			if ((void *)(udp + 1) > data_end)
				return TC_ACT_SHOT;
			return __builtin_bswap16(udp->len);
		}
		if (ip->protocol == 1) {
			struct icmphdr *icmp = (void *)(ip + 1);
			if ((void *)(icmp + 1) > data_end)
				return TC_ACT_SHOT;
			return icmp->type << 16 | __builtin_bswap16(icmp->un.echo.sequence);
		}
		return skb->len;
	}
	if (proto == __builtin_bswap16(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_SHOT;
		eth->h_dest[1] = read_bitfield(ip6, version);
		eth->h_dest[2] = read_bitfield(ip6, priority);
		eth->h_dest[3] = ip6->hop_limit;
		eth->h_dest[4] = ip6->nexthdr;
		eth->h_dest[5] = ip6->daddr.in6_u.u6_addr8[15];
		return __builtin_bswap16(ip6->payload_len);
	}
	return skb->len + (skb->protocol << 16);
}

LICENSE("GPL");
