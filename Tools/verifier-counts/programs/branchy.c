/* Large branchy tc programs for measuring the verifier's pruning against the kernel's (not a
 * test fixture: Tools/verifier-counts/README.md). A policy engine in the style of a datapath:
 * the parsed flow goes through rules, a TCP state machine and per-field classifiers, each
 * branch leaving numbers behind (verdict bits, scores, counters) that later code only stores,
 * returns or hands to helpers, and a few that later code depends on (offsets, array keys). */
#include "../../../Tests/Fixtures/programs/parse.h"

struct rule {
	u32 addr, mask;
	u16 port_lo, port_hi;
	u8 proto, action;
	u16 weight;
};

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct rule);
} rules SEC(".maps");

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 32);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

struct conn {
	u32 state, packets;
	u64 bytes;
};

struct {
	__uint(type, MAP_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow);
	__type(value, struct conn);
} conns SEC(".maps");

INLINE void bump(u32 which, u64 by)
{
	u64 *slot = map_lookup_elem(&stats, &which);
	if (slot)
		__sync_fetch_and_add(slot, by);
}

/* Each rule: matched address, port range and protocol add its weight to the score and set a
 * verdict bit. */
INLINE void match(u32 index, struct flow *f, u32 *verdict, u32 *score)
{
	struct rule *r = map_lookup_elem(&rules, &index);
	if (!r)
		return;
	if ((f->src[0] & r->mask) != r->addr)
		return;
	u16 port = ntohs(f->dport);
	if (port < r->port_lo || port > r->port_hi)
		return;
	if (r->proto && r->proto != f->proto)
		return;
	*verdict |= 1u << (r->action & 15);
	*score += r->weight;
}

/* The TCP flags at the flow's L4 header move a small state machine. */
INLINE u32 tcp_step(struct __sk_buff *skb, struct flow *f, u32 state)
{
	void *data = DATA(skb), *end = DATA_END(skb);
	u8 *flags = data + f->l4_off + 13;
	if (f->l4_off > 80 || (void *)(flags + 1) > end)
		return state;
	u8 fl = *flags;
	if (fl & 0x04)
		return 0;            /* RST */
	if (fl & 0x02)
		state = (fl & 0x10) ? 2 : 1;   /* SYN-ACK, SYN */
	if (fl & 0x01)
		state = state == 3 ? 4 : 5;    /* FIN */
	if ((fl & 0x10) && state == 2)
		state = 3;
	if (fl & 0x08)
		state |= 8;          /* PSH */
	if (fl & 0x20)
		state |= 16;         /* URG */
	return state;
}

SEC("tc")
int policy(struct __sk_buff *skb)
{
	struct flow f = {};
	int r = parse_flow(skb, &f);
	if (r != PARSE_OK) {
		bump(r, 1);
		return r == PARSE_NOT_IP ? TC_ACT_OK : TC_ACT_SHOT;
	}
	u32 verdict = 0, score = 0;
#pragma unroll
	for (u32 i = 0; i < 8; i++)
		match(i, &f, &verdict, &score);
	/* Classifiers on fields: each adds to the score or the class. */
	u32 class = 0;
	u16 dport = ntohs(f.dport), sport = ntohs(f.sport);
	if (dport == 53 || sport == 53)
		class |= 1;
	if (dport == 80 || dport == 443 || dport == 8080)
		class |= 2;
	if (dport < 1024)
		score += 3;
	if (sport < 1024)
		score += 5;
	if (f.vlan)
		class |= 4;
	if (f.family == 6)
		class |= 8;
	if (f.fragment)
		score += 11;
	if (skb->len > 1400)
		class |= 16;
	if (skb->mark & 1)
		score += 7;
	if (skb->priority > 3)
		class |= 32;
	u32 state = 0;
	if (f.proto == IPPROTO_TCP)
		state = tcp_step(skb, &f, state);
	struct conn *c = map_lookup_elem(&conns, &f);
	if (c) {
		c->packets++;
		c->bytes += skb->len;
		c->state = state;
	} else {
		struct conn fresh = { .state = state, .packets = 1, .bytes = skb->len };
		map_update_elem(&conns, &f, &fresh, ANY);
	}
	bump(16 + (class & 7), 1);
	bump(24 + (state & 7), skb->len);
	skb->mark = score;
	skb->tc_classid = class;
	if (verdict & 4)
		return TC_ACT_SHOT;
	if ((verdict & 2) && score > 100)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

/* The same with sixteen rules and more classifiers. */
SEC("tc")
int policy_wide(struct __sk_buff *skb)
{
	struct flow f = {};
	int r = parse_flow(skb, &f);
	if (r != PARSE_OK) {
		bump(r, 1);
		return r == PARSE_NOT_IP ? TC_ACT_OK : TC_ACT_SHOT;
	}
	u32 verdict = 0, score = 0;
#pragma unroll
	for (u32 i = 0; i < 16; i++)
		match(i, &f, &verdict, &score);
	/* Classifiers on fields: each adds to the score or the class. */
	u32 class = 0;
	u16 dport = ntohs(f.dport), sport = ntohs(f.sport);
	if (dport == 53 || sport == 53)
		class |= 1;
	if (dport == 80 || dport == 443 || dport == 8080)
		class |= 2;
	if (dport < 1024)
		score += 3;
	if (sport < 1024)
		score += 5;
	if (f.vlan)
		class |= 4;
	if (f.family == 6)
		class |= 8;
	if (f.fragment)
		score += 11;
	if (skb->len > 1400)
		class |= 16;
	if (skb->mark & 1)
		score += 7;
	if (skb->priority > 3)
		class |= 32;
	if (skb->protocol == htons(ETH_P_IP))
		score += 13;
	if (skb->pkt_type == 1)
		class |= 64;
	if (skb->queue_mapping > 2)
		score += 17;
	if (skb->hash & 0x100)
		class |= 128;
	u32 state = 0;
	if (f.proto == IPPROTO_TCP)
		state = tcp_step(skb, &f, state);
	struct conn *c = map_lookup_elem(&conns, &f);
	if (c) {
		c->packets++;
		c->bytes += skb->len;
		c->state = state;
	} else {
		struct conn fresh = { .state = state, .packets = 1, .bytes = skb->len };
		map_update_elem(&conns, &f, &fresh, ANY);
	}
	bump(16 + (class & 7), 1);
	bump(24 + (state & 7), skb->len);
	skb->mark = score;
	skb->tc_classid = class;
	if (verdict & 4)
		return TC_ACT_SHOT;
	if ((verdict & 2) && score > 100)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

LICENSE;
