/* Every map type driven from a command packet, one program per map: 14 bytes Ethernet, then
 * struct cmd. The result goes into the packet at offset 14 + sizeof(struct cmd) (RESULT): the
 * helper's return value (s64) and, for a lookup, whether it found the key and the value (8 bytes;
 * per-CPU maps: only whether the key is there, since test-run may run on any CPU). */
#include "progs.h"

struct cmd { u8 op, pad[3]; u32 flags; u64 key; u64 value; };
enum { OP_LOOKUP, OP_UPDATE, OP_DELETE, OP_ADD };
#define RESULT (14 + sizeof(struct cmd))

struct { __uint(type, MAP_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } m_array SEC(".maps");
struct { __uint(type, MAP_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } m_percpu_array SEC(".maps");
struct { __uint(type, MAP_HASH); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } m_hash SEC(".maps");
struct { __uint(type, MAP_PERCPU_HASH); __uint(max_entries, 4); __type(key, u32); __type(value, u64); } m_percpu_hash SEC(".maps");
struct { __uint(type, MAP_LRU_HASH); __uint(max_entries, 1024); __type(key, u32); __type(value, u64); } m_lru_hash SEC(".maps");
struct { __uint(type, MAP_LRU_PERCPU_HASH); __uint(max_entries, 1024); __type(key, u32); __type(value, u64); } m_lru_percpu_hash SEC(".maps");
struct { __uint(type, MAP_HASH); __uint(max_entries, 4); __uint(map_flags, NO_PREALLOC); __type(key, u32); __type(value, u64); } m_hash_noprealloc SEC(".maps");

struct lpm_key { u32 prefixlen; u8 addr[4]; };
struct { __uint(type, MAP_LPM_TRIE); __uint(max_entries, 8); __uint(map_flags, NO_PREALLOC); __type(key, struct lpm_key); __type(value, u64); } m_lpm SEC(".maps");

INLINE int map_op(struct __sk_buff *skb, void *map, int percpu, void *key)
{
	struct cmd c;
	if (skb_load_bytes(skb, 14, &c, sizeof(c)))
		return -1000;
	if (!key)
		key = &c.key;
	else
		__builtin_memcpy(key, &c.key, 8);
	struct { s64 ret; u64 found; u64 value; } out = {};
	if (c.op == OP_LOOKUP) {
		u64 *v = map_lookup_elem(map, key);
		out.found = v != 0;
		if (v && !percpu)
			out.value = *v;
	} else if (c.op == OP_UPDATE) {
		out.ret = map_update_elem(map, key, &c.value, c.flags);
	} else if (c.op == OP_DELETE) {
		out.ret = map_delete_elem(map, key);
	} else if (c.op == OP_ADD) {
		/* Add to the value in place, through the pointer lookup gave. */
		u64 *v = map_lookup_elem(map, key);
		if (v) {
			__sync_fetch_and_add(v, c.value);
			out.found = 1;
			if (!percpu)
				out.value = *v;
		}
	} else {
		return -1001;
	}
	skb_store_bytes(skb, RESULT, &out, sizeof(out), 0);
	return 0;
}

SEC("tc") int op_array(struct __sk_buff *skb) { return map_op(skb, &m_array, 0, 0); }
SEC("tc") int op_percpu_array(struct __sk_buff *skb) { return map_op(skb, &m_percpu_array, 1, 0); }
SEC("tc") int op_hash(struct __sk_buff *skb) { return map_op(skb, &m_hash, 0, 0); }
SEC("tc") int op_percpu_hash(struct __sk_buff *skb) { return map_op(skb, &m_percpu_hash, 1, 0); }
SEC("tc") int op_lru_hash(struct __sk_buff *skb) { return map_op(skb, &m_lru_hash, 0, 0); }
SEC("tc") int op_lru_percpu_hash(struct __sk_buff *skb) { return map_op(skb, &m_lru_percpu_hash, 1, 0); }
SEC("tc") int op_hash_noprealloc(struct __sk_buff *skb) { return map_op(skb, &m_hash_noprealloc, 0, 0); }
SEC("tc") int op_lpm(struct __sk_buff *skb) { struct lpm_key k; return map_op(skb, &m_lpm, 0, &k); }

/* LPM lookups of the packet's IPv4 destination (/32 key): the value found or 0xff..ff. */
SEC("tc")
int lpm_route(struct __sk_buff *skb)
{
	struct lpm_key k = { .prefixlen = 32 };
	if (skb_load_bytes(skb, 30, k.addr, 4))
		return TC_ACT_SHOT;
	u64 *v = map_lookup_elem(&m_lpm, &k);
	u64 out = v ? *v : ~0ULL;
	OUT(skb, 0, u64, out);
	return v ? TC_ACT_OK : TC_ACT_SHOT;
}

/* Tail calls: tail_entry jumps to the slot named by byte 14; an empty slot falls through and
 * returns 100 + slot. tail_a and tail_b stamp their mark at byte 15 + depth and jump on to the
 * slot named at byte 20 + depth (cb[0] counts the depth). Slots are filled by the tests
 * (the script language cannot): in a script every tail call falls through. */
struct { __uint(type, MAP_PROG_ARRAY); __uint(max_entries, 4); __type(key, u32); __type(value, u32); } jump_table SEC(".maps");

SEC("tc")
int tail_entry(struct __sk_buff *skb)
{
	u8 slot;
	if (skb_load_bytes(skb, 14, &slot, 1))
		return TC_ACT_SHOT;
	skb->cb[0] = 0;
	tail_call(skb, &jump_table, slot); /* returns nothing a program may read: only failure comes back */
	return 100 + slot;
}

INLINE int tail_step(struct __sk_buff *skb, u8 mark)
{
	u32 depth = skb->cb[0];
	if (depth > 4)
		return 50;
	u8 next;
	if (skb_store_bytes(skb, 15 + depth, &mark, 1, 0) || skb_load_bytes(skb, 20 + depth, &next, 1))
		return TC_ACT_SHOT;
	skb->cb[0] = depth + 1;
	tail_call(skb, &jump_table, next);
	return 200 + depth;
}

SEC("tc") int tail_a(struct __sk_buff *skb) { return tail_step(skb, 0xaa); }
SEC("tc") int tail_b(struct __sk_buff *skb) { return tail_step(skb, 0xbb); }

/* Ring buffer: op 0 output, 1 reserve + submit, 2 reserve + discard, 3 reserve of cmd.value
 * bytes, 4 query (flags = what). Each record carries a sequence number. Writes the result. */
struct { __uint(type, MAP_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
u64 sequence;

SEC("tc")
int ringbuf_op(struct __sk_buff *skb)
{
	struct cmd c;
	if (skb_load_bytes(skb, 14, &c, sizeof(c)))
		return -1000;
	s64 ret = 0;
	u64 record[4] = { ++sequence, c.key, c.value, skb->len };
	if (c.op == 0) {
		ret = ringbuf_output(&events, record, c.value & 0x1f, c.flags);
	} else if (c.op == 1 || c.op == 2) {
		u64 *slot = ringbuf_reserve(&events, 32, 0);
		if (!slot) {
			ret = -1;
		} else {
			slot[0] = record[0]; slot[1] = record[1]; slot[2] = record[2]; slot[3] = record[3];
			if (c.op == 1)
				ringbuf_submit(slot, c.flags);
			else
				ringbuf_discard(slot, c.flags);
		}
	} else if (c.op == 3) {
		u64 *slot = ringbuf_reserve(&events, 4000, 0);
		ret = slot ? 1 : 0;
		if (slot)
			ringbuf_discard(slot, 0);
	} else if (c.op == 4) {
		ret = ringbuf_query(&events, c.flags);
	}
	skb_store_bytes(skb, RESULT, &ret, 8, 0);
	return 0;
}

LICENSE;
