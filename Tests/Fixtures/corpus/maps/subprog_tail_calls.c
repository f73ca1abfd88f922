/* Tail calls made from inside bpf-to-bpf calls. The kernel replaces only the calling
 * function's frame: the frames below it stay, the target returns into them, and the chain goes
 * on to the limit of 33 tail calls. So one run nests far deeper than the eight frames a single
 * program may use, and every level's additions are still made on the way back.
 *
 * The entry calls `outer`, which calls `inner`, which tail-calls slot KEY of `again` (slot 0 is
 * the entry itself, slot 1 is empty). Each level adds its own amount on the way out, and the
 * visits counter says how many levels ran. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} visits SEC(".maps");

int climb(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} again SEC(".maps") = {
	.values = {
		[0] = (void *)&climb,
	},
};

static __attribute__((noinline)) int inner(struct __sk_buff *skb, __u32 slot)
{
	__u32 zero = 0;
	__u64 *n = map_lookup_elem(&visits, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	tail_call(skb, &again, slot);
	/* Reached only by the last level, when the chain's limit or an empty slot stops it
	 * (read from the packet so the compiler cannot fold the callers' sums). */
	return 1000 + (skb->len & 1);
}

static __attribute__((noinline)) int outer(struct __sk_buff *skb, __u32 slot)
{
	/* Kept in a callee-saved register across the call: a level that lost its frame would
	 * add the wrong amount. */
	__u32 weight = skb->len & 7;
	int below = inner(skb, slot);
	return below + weight + 3;
}

SEC("tc")
int climb(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	return outer(skb, req.key) + 10;
}

LICENSE;
