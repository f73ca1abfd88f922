/* BTF-defined maps of every type the project knows, referenced from one program. */
#include "tcx_bpf.h"

struct flow_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
};

struct lpm_v4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

typedef struct flow_key flow_key_t;
typedef const volatile flow_key_t cv_flow_key_t;

struct {
	__uint(type, MAP_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} counters SEC(".maps");

struct {
	__uint(type, MAP_PERCPU_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 24);
	__uint(max_entries, 4);
} percpu_stats SEC(".maps");

struct {
	__uint(type, MAP_HASH);
	__type(key, cv_flow_key_t);
	__type(value, __u64[3]);
	__uint(max_entries, 1024);
	__uint(map_flags, F_NO_PREALLOC);
} flows SEC(".maps");

struct {
	__uint(type, MAP_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 64);
} percpu_flows SEC(".maps");

struct {
	__uint(type, MAP_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, __u32);
	__uint(max_entries, 128);
	__uint(pinning, PIN_BY_NAME);
} lru_flows SEC(".maps");

struct {
	__uint(type, MAP_LRU_PERCPU_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 32);
} lru_percpu SEC(".maps");

struct {
	__uint(type, MAP_LPM_TRIE);
	__type(key, struct lpm_v4_key);
	__type(value, __u32);
	__uint(max_entries, 255);
	__uint(map_flags, F_NO_PREALLOC);
} prefixes SEC(".maps");

struct {
	__uint(type, MAP_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 8);
} jump_table SEC(".maps");

struct {
	__uint(type, MAP_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tcx/ingress")
int use_maps(struct __sk_buff *skb)
{
	__u32 k = skb->mark & 15;
	__u64 *c = map_lookup_elem(&counters, &k);
	if (c)
		__sync_fetch_and_add(c, 1);
	if (map_lookup_elem(&percpu_stats, &k))
		return 1;
	struct flow_key fk = { .saddr = skb->hash, .proto = 6 };
	if (map_lookup_elem(&flows, &fk))
		return 2;
	if (map_lookup_elem(&percpu_flows, &k))
		return 3;
	if (map_lookup_elem(&lru_flows, &fk))
		return 4;
	__u64 k64 = k;
	if (map_lookup_elem(&lru_percpu, &k64))
		return 5;
	struct lpm_v4_key lk = { .prefixlen = 32 };
	if (map_lookup_elem(&prefixes, &lk))
		return 6;
	ringbuf_output(&events, &k, sizeof(k), 0);
	tail_call(skb, &jump_table, k);
	return 0;
}

LICENSE("GPL");
