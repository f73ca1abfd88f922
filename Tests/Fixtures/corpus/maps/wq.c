/* BPF workqueues (struct bpf_wq in map values) in an array, a hash and an LRU hash, driven by the
 * bpf_wq_* kfuncs; the maps need their BTF for the kernel to find the field. The request's op is
 * ACTION | MAP << 8, MAP 0 the array, 1 the hash, 2 the LRU hash; KEY picks the element (a hash
 * element must exist). The answer is the kfunc's result (-1000: no element) and the element's
 * first 8 bytes.
 *   action 0: bpf_wq_init(flags = VALUE)        action 2: bpf_wq_start(flags = VALUE)
 *   action 3: only answers
 * Linux 6.18 refuses bpf_wq_set_callback_impl to tc programs (the callback is sleepable, the
 * program is not: wq_refused.c), so a tc program's workqueue never gets a callback and every
 * start is EINVAL: what a tc program can observe is init's and start's answers. */
#include "maps.h"

#define __ksym __attribute__((section(".ksyms")))

/* The kernel's opaque 16 bytes; this machine's uapi header predates it. */
struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;

/* The workqueue sits after 8 bytes, so its offset (8) comes from BTF. */
struct work {
	__u64 head;
	struct bpf_wq wq;
	__u64 after;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct work);
} wq_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct work);
} wq_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct work);
} wq_lru SEC(".maps");

static __attribute__((always_inline)) __s64 act(void *map, struct work *value, struct request *req)
{
	if (!value)
		return -1000;
	switch (req->op & 0xff) {
	case 0:
		return bpf_wq_init(&value->wq, map, req->value);
	case 2:
		return bpf_wq_start(&value->wq, req->value);
	case 3:
		return 0;
	}
	return -1001;
}

SEC("tc")
int works(struct __sk_buff *skb)
{
	struct request req;
	struct work *value;
	__s64 result;
	if (read_request(skb, &req))
		return 2;
	switch (req.op >> 8) {
	case 0:
		value = map_lookup_elem(&wq_array, &req.key);
		result = act(&wq_array, value, &req);
		break;
	case 1:
		value = map_lookup_elem(&wq_hash, &req.key);
		result = act(&wq_hash, value, &req);
		break;
	default:
		value = map_lookup_elem(&wq_lru, &req.key);
		result = act(&wq_lru, value, &req);
		break;
	}
	answer(skb, result, value ? value->head : 0);
	return 0;
}

LICENSE;
