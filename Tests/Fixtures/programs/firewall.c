/* A 5-tuple firewall for IPv4 and IPv6 (one optional VLAN tag): exact rules, then rules with
 * wildcard ports, then the default action (a global in .data). Counters per verdict in an array
 * and a per-CPU array; the hit count of each rule in the rule itself.
 * fw_add_rule / fw_del_rule / fw_set_default are control programs: their packet is a command. */
#include "parse.h"

struct fw_key {
	u8 family, proto;
	u16 sport, dport;
	u16 pad;
	u32 src[4], dst[4];
};
struct fw_rule {
	u32 action;
	u32 hits;
};

struct {
	__uint(type, MAP_HASH);
	__uint(max_entries, 8);
	__type(key, struct fw_key);
	__type(value, struct fw_rule);
} rules SEC(".maps");

enum { C_PASS, C_DROP, C_NOT_IP, C_MALFORMED, C_DEFAULT, C_WILDCARD, C_COUNT };

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, C_COUNT);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

struct {
	__uint(type, MAP_PERCPU_ARRAY);
	__uint(max_entries, C_COUNT);
	__type(key, u32);
	__type(value, u64);
} cpu_counters SEC(".maps");

u32 default_action = TC_ACT_SHOT;   /* .data */
u64 bytes_seen;                     /* .bss */

INLINE void count(u32 which)
{
	u64 *c = map_lookup_elem(&counters, &which);
	if (c)
		__sync_fetch_and_add(c, 1);
	c = map_lookup_elem(&cpu_counters, &which);
	if (c)
		*c += 1;
}

SEC("tc")
int fw_filter(struct __sk_buff *skb)
{
	struct flow f = {};
	bytes_seen += skb->len;
	int r = parse_flow(skb, &f);
	if (r == PARSE_NOT_IP) {
		count(C_NOT_IP);
		return TC_ACT_OK;
	}
	if (r != PARSE_OK) {
		count(C_MALFORMED);
		count(C_DROP);
		return TC_ACT_SHOT;
	}
	struct fw_key key = { .family = f.family, .proto = f.proto, .sport = f.sport, .dport = f.dport };
#pragma unroll
	for (int i = 0; i < 4; i++) {
		key.src[i] = f.src[i];
		key.dst[i] = f.dst[i];
	}
	struct fw_rule *rule = map_lookup_elem(&rules, &key);
	if (!rule) {
		key.sport = 0;
		key.dport = 0;
		rule = map_lookup_elem(&rules, &key);
		if (rule)
			count(C_WILDCARD);
	}
	u32 action;
	if (rule) {
		__sync_fetch_and_add(&rule->hits, 1);
		action = rule->action;
	} else {
		count(C_DEFAULT);
		action = default_action;
	}
	count(action == TC_ACT_SHOT ? C_DROP : C_PASS);
	return action;
}

/* Command packet: 14 bytes Ethernet, then u32 flags, struct fw_key, u32 action. Returns the
 * update's result (0, -EEXIST, -ENOENT, -E2BIG). */
SEC("tc")
int fw_add_rule(struct __sk_buff *skb)
{
	struct {
		u32 flags;
		struct fw_key key;
		u32 action;
	} cmd;
	if (skb_load_bytes(skb, 14, &cmd, sizeof(cmd)))
		return -1000;
	struct fw_rule rule = { .action = cmd.action };
	return map_update_elem(&rules, &cmd.key, &rule, cmd.flags);
}

/* Command packet: 14 bytes Ethernet, then struct fw_key. Returns the delete's result. */
SEC("tc")
int fw_del_rule(struct __sk_buff *skb)
{
	struct fw_key key;
	if (skb_load_bytes(skb, 14, &key, sizeof(key)))
		return -1000;
	return map_delete_elem(&rules, &key);
}

/* Command packet: 14 bytes Ethernet, then the new default action (u32). Returns the old one. */
SEC("tc")
int fw_set_default(struct __sk_buff *skb)
{
	u32 action;
	if (skb_load_bytes(skb, 14, &action, 4))
		return -1000;
	u32 old = default_action;
	default_action = action;
	return old;
}

/* Writes the shared counters, bytes_seen and the hit count of the rule named by the packet
 * (as fw_del_rule) into the packet from offset 14 + 44: what the scripts check. */
SEC("tc")
int fw_stats(struct __sk_buff *skb)
{
	struct fw_key key;
	if (skb_load_bytes(skb, 14, &key, sizeof(key)))
		return -1000;
	u64 out[C_COUNT + 2] = {};
#pragma unroll
	for (int i = 0; i < C_COUNT; i++) {
		u32 k = i;
		u64 *c = map_lookup_elem(&counters, &k);
		if (c)
			out[i] = *c;
	}
	out[C_COUNT] = bytes_seen;
	struct fw_rule *rule = map_lookup_elem(&rules, &key);
	out[C_COUNT + 1] = rule ? rule->hits : 0xffffffff;
	return skb_store_bytes(skb, 14 + sizeof(key), out, sizeof(out), 0);
}

LICENSE;
