/* Per-CPU and LRU maps set up and read back by the script: each request adds VALUE to the u64
 * at KEY in the map OP picks (0 percpu array, 1 percpu hash, 2 LRU hash, 3 LRU percpu hash),
 * inserting it first in a hash when absent. Test runs use CPU 0, so the per-CPU copies the
 * programs touch are CPU 0's; the script writes and reads every CPU's copy. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pc_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pc_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} lru_pc SEC(".maps");

static __attribute__((noinline)) long add64(void *map, __u32 key, __u64 value, int insert)
{
	__u64 *slot = map_lookup_elem(map, &key);
	if (slot) {
		*slot += value;
		return (long)*slot;
	}
	if (!insert)
		return -1;
	return map_update_elem(map, &key, &value, BPF_NOEXIST);
}

SEC("tc")
int add_value(struct __sk_buff *skb)
{
	struct request req;
	long result = -1;
	if (read_request(skb, &req))
		return 2;
	if (req.op == 0)
		result = add64(&pc_array, req.key, req.value, 0);
	else if (req.op == 1)
		result = add64(&pc_hash, req.key, req.value, 1);
	else if (req.op == 2)
		result = add64(&lru, req.key, req.value, 1);
	else if (req.op == 3) {
		__u32 *slot = map_lookup_elem(&lru_pc, &req.key);
		__u32 v = (__u32)req.value;
		if (slot) {
			*slot += v;
			result = *slot;
		} else {
			result = map_update_elem(&lru_pc, &req.key, &v, BPF_NOEXIST);
		}
	}
	answer(skb, result, 0);
	return 0;
}

LICENSE;
