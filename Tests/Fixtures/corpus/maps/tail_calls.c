/* Tail calls through a prog array filled statically in .maps, as libbpf fills it when it
 * loads the object: slot 0 marks the packet and passes it, slot 2 counts and drops it, slot 1
 * is empty (the call falls through). The entry jumps to the slot named by the request key. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("tc")
int mark_and_pass(struct __sk_buff *skb)
{
	__u8 mark = 0xaa;
	skb_store_bytes(skb, ANSWER_AT, &mark, 1, 0);
	return 0;
}

SEC("tc")
int count_and_drop(struct __sk_buff *skb)
{
	__u32 key = 2;
	__u64 *n = map_lookup_elem(&hits, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 2;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = {
		[0] = (void *)&mark_and_pass,
		[2] = (void *)&count_and_drop,
	},
};

SEC("tc")
int dispatch(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	tail_call(skb, &jumps, req.key);
	/* Only an empty or missing slot comes back here. */
	answer(skb, -1, req.key);
	return 1;
}

LICENSE;
