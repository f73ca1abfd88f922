/* A queue and a stack of three u64 each, driven by request packets: op 0 push (value, flags),
 * 1 pop, 2 peek; key 0 picks the queue, key 1 the stack. The answer is the helper's result
 * and the value popped or peeked (zeroed by the kernel when the map is empty). */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u64);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u64);
} lifo SEC(".maps");

static __attribute__((noinline)) long apply(void *map, struct request *req, __u64 *out)
{
	switch (req->op) {
	case 0: return map_push_elem(map, &req->value, req->flags);
	case 1: return map_pop_elem(map, out);
	case 2: return map_peek_elem(map, out);
	}
	return -1;
}

SEC("tc")
int queue_stack_op(struct __sk_buff *skb)
{
	struct request req;
	__u64 out = 0xdeadbeef;
	if (read_request(skb, &req))
		return 2;
	long result = req.key ? apply(&lifo, &req, &out) : apply(&fifo, &req, &out);
	answer(skb, result, out);
	return 0;
}

LICENSE;
