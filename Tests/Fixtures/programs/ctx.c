/* The __sk_buff context: ctx_read stamps every field a tc program may read (from byte 14, 4 bytes
 * each unless noted); ctx_write writes every writable field from the command and stamps what
 * reads back; ctx_direct uses data/data_meta/data_end. */
#include "progs.h"

struct bpf_sock { u32 bound_dev_if, family, type, protocol, mark, priority, src_ip4, src_ip6[4], src_port; };

SEC("tc")
int ctx_read(struct __sk_buff *skb)
{
	u32 out[36];
	out[0] = skb->len;
	out[1] = skb->pkt_type;
	out[2] = skb->mark;
	out[3] = skb->queue_mapping;
	out[4] = skb->protocol;
	out[5] = skb->vlan_present;
	out[6] = skb->vlan_tci;
	out[7] = skb->vlan_proto;
	out[8] = skb->priority;
	out[9] = skb->ingress_ifindex;
	out[10] = skb->ifindex;
	out[11] = skb->tc_index;
	out[12] = skb->cb[0];
	out[13] = skb->cb[1];
	out[14] = skb->cb[2];
	out[15] = skb->cb[3];
	out[16] = skb->cb[4];
	out[17] = skb->hash;
	out[18] = skb->tc_classid;
	out[19] = skb->data_end - skb->data;
	out[20] = skb->napi_id;
	out[21] = skb->data_meta == skb->data;
	out[22] = (u32)skb->tstamp;
	out[23] = skb->wire_len;
	out[24] = skb->gso_segs;
	out[25] = skb->gso_size;
	out[26] = skb->tstamp_type;
	out[27] = (u32)skb->hwtstamp;
	out[28] = skb->sk != 0;
	/* Narrow reads: the low byte and the high half of 4-byte fields. */
	out[29] = *(u8 *)&skb->protocol | (u32)*(u16 *)((void *)&skb->len + 2) << 16;
	out[30] = *(u8 *)((void *)&skb->pkt_type) | (u32)*(u8 *)((void *)&skb->ifindex) << 8;
	struct bpf_sock *sk = skb->sk;
	out[31] = sk ? sk->family : 0xffffffff;
	out[32] = sk ? sk->src_ip4 : 0;
	out[33] = sk ? sk->src_ip6[0] : 0;
	out[34] = sk ? sk->src_port : 0;
	out[35] = sk ? sk->src_ip6[3] : 0;  /* a socket_common pointer: no fullsock fields (protocol, mark) */
	skb_store_bytes(skb, 14, out, sizeof(out), 0);
	return skb->len;
}

/* Command after 14 bytes: mark, priority, tc_index, tc_classid, queue_mapping, cb[0..4],
 * tstamp (u64). Answer (what reads back) at byte 14 + 48. */
SEC("tc")
int ctx_write(struct __sk_buff *skb)
{
	struct { u32 mark, priority, tc_index, tc_classid, queue_mapping, cb[5]; u64 tstamp; } c;
	if (skb_load_bytes(skb, 14, &c, sizeof(c)))
		return -1000;
	skb->mark = c.mark;
	skb->priority = c.priority;
	skb->tc_index = c.tc_index;
	skb->tc_classid = c.tc_classid;
	skb->queue_mapping = c.queue_mapping;
	skb->cb[0] = c.cb[0];
	skb->cb[1] = c.cb[1];
	skb->cb[2] = c.cb[2];
	skb->cb[3] = c.cb[3];
	skb->cb[4] = c.cb[4];
	*((u8 *)&skb->cb[4] + 1) = 0x5a;     /* a 1-byte store inside cb */
	*((u16 *)&skb->cb[3] + 1) = 0x1234;  /* a 2-byte store */
	skb->tstamp = c.tstamp;
	u32 out[12] = { skb->mark, skb->priority, skb->tc_index, skb->tc_classid, skb->queue_mapping,
			skb->cb[0], skb->cb[1], skb->cb[2], skb->cb[3], skb->cb[4], (u32)skb->tstamp, skb->tstamp_type };
	skb_store_bytes(skb, 14 + 48, out, sizeof(out), 0);
	return skb->mark;
}

/* Direct packet access: swap the MAC addresses in place, decrement the IPv4 TTL with the
 * checksum fixed by hand (RFC 1624), read past the end never. Returns data_end - data, or a
 * negative code for what was too short. data_meta equals data in tc (no metadata). */
SEC("tc")
int ctx_direct(struct __sk_buff *skb)
{
	void *data = DATA(skb), *end = DATA_END(skb), *meta = (void *)(long)skb->data_meta;
	if (meta > data)
		return -3;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return -1;
	u8 tmp[6];
	__builtin_memcpy(tmp, eth->dst, 6);
	__builtin_memcpy(eth->dst, eth->src, 6);
	__builtin_memcpy(eth->src, tmp, 6);
	if (eth->proto == htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return -2;
		if (ip->ttl > 1) {
			ip->ttl--;
			u32 sum = (u16)~ntohs(ip->check);
			sum += 0xfeff;  /* ~0x0100: the TTL is the high byte of its word */
			sum = (sum & 0xffff) + (sum >> 16);
			sum = (sum & 0xffff) + (sum >> 16);
			ip->check = htons(~sum & 0xffff);
		}
	}
	/* The last byte, through a bounds check on a variable offset. */
	u32 last = skb->len - 1;
	if (last < 2048) {
		u8 *p = data + last;
		if ((void *)(p + 1) <= end)
			*p ^= 0xff;
	}
	return end - data;
}

LICENSE;
