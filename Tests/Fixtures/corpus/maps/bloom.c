/* A bloom filter of u32 addresses with three hash functions: op 0 pushes KEY (with FLAGS in
 * the request's flags), op 1 tests KEY (the kernel's verifier refuses bpf_map_pop_elem on a
 * bloom filter, so no program here pops). The answer is the helper's result.
 * The filter is large and holds few values, so the kernel's false positives do not show. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 4096);
	__uint(map_extra, 3);
	__type(value, __u32);
} seen SEC(".maps");

SEC("tc")
int bloom_op(struct __sk_buff *skb)
{
	struct request req;
	long result = -1;
	if (read_request(skb, &req))
		return 2;
	if (req.op == 0)
		result = map_push_elem(&seen, &req.key, req.flags);
	else if (req.op == 1)
		result = map_peek_elem(&seen, &req.key);
	answer(skb, result, req.key);
	return result == 0 ? 0 : 2;
}

LICENSE;
