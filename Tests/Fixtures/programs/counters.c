/* Counters of every kind: a per-CPU array per protocol, global .bss/.data/.rodata variables,
 * an LRU hash per IPv4/IPv6 source, an LRU per-CPU hash per EtherType. count_packet stamps the
 * totals it can see deterministically (the .bss/.data globals and the per-source LRU entry, not
 * per-CPU values: a test-run may run on any CPU) over the destination MAC. */
#include "parse.h"

struct src_key { u32 addr[4]; };
struct src_val { u64 packets, bytes; };

struct { __uint(type, MAP_PERCPU_ARRAY); __uint(max_entries, 256); __type(key, u32); __type(value, u64); } per_proto SEC(".maps");
struct { __uint(type, MAP_LRU_HASH); __uint(max_entries, 1024); __type(key, struct src_key); __type(value, struct src_val); } per_source SEC(".maps");
struct { __uint(type, MAP_LRU_PERCPU_HASH); __uint(max_entries, 1024); __type(key, u16); __type(value, struct src_val); } per_ethertype SEC(".maps");

u64 total_packets, total_bytes;   /* .bss */
u32 generation = 7;               /* .data */
u32 malformed = 0;                /* .bss too: zero-initialised */
const volatile u32 scale = 3;     /* .rodata */

SEC("tc")
int count_packet(struct __sk_buff *skb)
{
	total_packets++;
	total_bytes += skb->len * scale;
	struct flow f = {};
	int r = parse_flow(skb, &f);
	u16 ethertype = (u16)skb->protocol;
	struct src_val one = { 1, skb->len };
	struct src_val *v = map_lookup_elem(&per_ethertype, &ethertype);
	if (v) {
		v->packets++;
		v->bytes += skb->len;
	} else {
		map_update_elem(&per_ethertype, &ethertype, &one, ANY);
	}
	if (r == PARSE_MALFORMED) {
		malformed++;
		OUT(skb, 0, u32, (u32)total_packets);
		return TC_ACT_SHOT;
	}
	if (r != PARSE_OK) {
		OUT(skb, 0, u32, (u32)total_packets);
		return TC_ACT_OK;
	}
	u32 proto = f.proto;
	u64 *c = map_lookup_elem(&per_proto, &proto);
	if (c)
		*c += 1;
	struct src_key key = {};
#pragma unroll
	for (int i = 0; i < 4; i++)
		key.addr[i] = f.src[i];
	u64 packets = 1;
	v = map_lookup_elem(&per_source, &key);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, skb->len);
		packets = v->packets;
	} else {
		map_update_elem(&per_source, &key, &one, NOEXIST);
	}
	OUT(skb, 0, u32, (u32)total_packets);
	OUT(skb, 4, u16, (u16)packets);
	return TC_ACT_OK;
}

/* Writes total_packets, total_bytes, generation, malformed at offset 14; bumps generation. */
SEC("tc")
int count_read(struct __sk_buff *skb)
{
	struct { u64 packets, bytes; u32 generation, malformed; } out = { total_packets, total_bytes, generation, malformed };
	generation++;
	return skb_store_bytes(skb, 14, &out, sizeof(out), 0);
}

/* Command: 14 bytes Ethernet, then a 16-byte source address. Deletes its entry; returns the result. */
SEC("tc")
int count_forget(struct __sk_buff *skb)
{
	struct src_key key;
	if (skb_load_bytes(skb, 14, &key, sizeof(key)))
		return -1000;
	return map_delete_elem(&per_source, &key);
}

LICENSE;
