/* A layer-3 load balancer for the virtual service 192.0.2.10 (TCP and UDP, any port): the
 * 5-tuple's hash picks one of four backends in an array map (empty slots are skipped), an LRU
 * hash keeps each flow on its backend, the destination MAC and IP are rewritten (checksums
 * fixed) and the packet is redirected to the backend's ifindex with its flags (BPF_F_INGRESS).
 * lb_set_backend fills a slot from a command packet. */
#include "parse.h"

struct backend { u32 addr; u8 mac[6]; u16 pad; u32 ifindex; u32 flags; };
struct flow_key { u32 src, dst; u16 sport, dport; u8 proto; u8 pad[3]; };

#define NBACKENDS 4
struct { __uint(type, MAP_ARRAY); __uint(max_entries, NBACKENDS); __type(key, u32); __type(value, struct backend); } backends SEC(".maps");
struct { __uint(type, MAP_LRU_HASH); __uint(max_entries, 1024); __type(key, struct flow_key); __type(value, u32); } flows SEC(".maps");
struct { __uint(type, MAP_PERCPU_HASH); __uint(max_entries, 8); __type(key, u32); __type(value, u64); } backend_packets SEC(".maps");

const volatile u32 vip = 0x0a0200c0; /* 192.0.2.10 */
u32 no_backend;

/* FNV-1a over the key's bytes: deterministic, the same on every backend. */
INLINE u32 flow_hash(struct flow_key *k)
{
	u32 h = 2166136261u;
	u8 *p = (u8 *)k;
#pragma unroll
	for (int i = 0; i < 13; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

SEC("tc")
int lb_balance(struct __sk_buff *skb)
{
	struct flow f = {};
	if (parse_flow(skb, &f) != PARSE_OK || f.family != 4 || f.dst[0] != vip || f.fragment)
		return TC_ACT_OK;
	if (f.proto != IPPROTO_TCP && f.proto != IPPROTO_UDP)
		return TC_ACT_SHOT;
	struct flow_key key = { .src = f.src[0], .dst = f.dst[0], .sport = f.sport, .dport = f.dport, .proto = f.proto };
	struct backend *be = 0;
	u32 index;
	u32 *pinned = map_lookup_elem(&flows, &key);
	if (pinned) {
		index = *pinned;
		be = map_lookup_elem(&backends, &index);
		if (be && !be->addr)
			be = 0;
	}
	if (!be) {
		u32 h = flow_hash(&key);
#pragma unroll
		for (int i = 0; i < NBACKENDS; i++) {
			index = (h + i) % NBACKENDS;
			be = map_lookup_elem(&backends, &index);
			if (be && be->addr)
				break;
			be = 0;
		}
		if (!be) {
			no_backend++;
			return TC_ACT_SHOT;
		}
		map_update_elem(&flows, &key, &index, ANY);
	}
	u64 one = 1, *n = map_lookup_elem(&backend_packets, &index);
	if (n)
		*n += 1;
	else
		map_update_elem(&backend_packets, &index, &one, NOEXIST);

	u32 new_addr = be->addr, ifindex = be->ifindex, flags = be->flags;
	u8 mac[6];
	__builtin_memcpy(mac, be->mac, 6);
	int check = f.l4_off + (f.proto == IPPROTO_TCP ? 16 : 6);
	if (l4_csum_replace(skb, check, vip, new_addr, F_PSEUDO_HDR | 4 | (f.proto == IPPROTO_UDP ? F_MARK_MANGLED_0 : 0)))
		return TC_ACT_SHOT;
	if (l3_csum_replace(skb, f.l3_off + 10, vip, new_addr, 4))
		return TC_ACT_SHOT;
	if (skb_store_bytes(skb, f.l3_off + 16, &new_addr, 4, 0))
		return TC_ACT_SHOT;
	struct ethhdr *eth = DATA(skb);
	if ((void *)(eth + 1) > DATA_END(skb))
		return TC_ACT_SHOT;
	__builtin_memcpy(eth->dst, mac, 6);
	return redirect(ifindex, flags);
}

/* Command: 14 bytes Ethernet, u32 slot, struct backend. Returns the update's result. */
SEC("tc")
int lb_set_backend(struct __sk_buff *skb)
{
	struct { u32 slot; struct backend be; } cmd;
	if (skb_load_bytes(skb, 14, &cmd, sizeof(cmd)))
		return -1000;
	return map_update_elem(&backends, &cmd.slot, &cmd.be, ANY);
}

/* Writes the backend index the flow named by the command (a struct flow_key) is pinned to,
 * or 0xffffffff, and no_backend, at offset 14 + 16. */
SEC("tc")
int lb_lookup_flow(struct __sk_buff *skb)
{
	struct flow_key key;
	if (skb_load_bytes(skb, 14, &key, sizeof(key)))
		return -1000;
	u32 *index = map_lookup_elem(&flows, &key);
	u32 out[2] = { index ? *index : 0xffffffff, no_backend };
	return skb_store_bytes(skb, 14 + sizeof(key), out, sizeof(out), 0);
}

LICENSE;
