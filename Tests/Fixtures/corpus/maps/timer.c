/* BPF timers (struct bpf_timer in map values) in an array, a hash and an LRU hash; the maps need
 * their BTF for the kernel to find the timer field. The request's op is ACTION | MAP << 8, MAP 0
 * the array, 1 the hash, 2 the LRU hash; KEY picks the element (a hash element must exist). The
 * answer is the helper's result (-1000: no element) and the element's fire count.
 *   action 0: bpf_timer_init(flags = VALUE)       action 1: bpf_timer_set_callback(on_fire)
 *   action 2: bpf_timer_start(VALUE ns, FLAGS); with BPF_F_TIMER_ABS VALUE is added to
 *             bpf_ktime_get_ns(), so an absolute deadline VALUE ns from now on CLOCK_MONOTONIC
 *   action 3: bpf_timer_cancel                    action 4: the callback restarts VALUE times
 *   action 5: answers how many callbacks ran in all (no element needed)
 * The callback counts its runs, records the key it was given and what cancelling its own timer
 * answered, restarts the timer while restarts are left, and counts every run in `fired_total`. */
#include "maps.h"

#define TIMER_ABS 1 /* BPF_F_TIMER_ABS, newer than this machine's uapi header */

static long (*timer_init)(struct bpf_timer *timer, void *map, __u64 flags) = (void *)169;
static long (*timer_set_callback)(struct bpf_timer *timer, void *callback) = (void *)170;
static long (*timer_start)(struct bpf_timer *timer, __u64 nsecs, __u64 flags) = (void *)171;
static long (*timer_cancel)(struct bpf_timer *timer) = (void *)172;
static __u64 (*ktime_get_ns)(void) = (void *)BPF_FUNC_ktime_get_ns;

/* The timer sits after a counter, so its offset (8) comes from BTF, not from the value's start. */
struct timed {
	__u64 fired;
	struct bpf_timer timer;
	__s64 own_cancel;
	__u32 key_seen;
	__u32 restarts;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct timed);
} timer_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct timed);
} timer_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct timed);
} timer_lru SEC(".maps");

/* Linux 6.18 creates a per-CPU array of such values too, its timer bytes plain bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct timed);
} timer_percpu SEC(".maps");

__u64 fired_total = 0;

static int on_fire(void *map, __u32 *key, struct timed *value)
{
	value->fired++;
	value->key_seen = *key;
	value->own_cancel = timer_cancel(&value->timer);
	if (value->restarts) {
		value->restarts--;
		timer_start(&value->timer, 1000, 0);
	}
	__sync_fetch_and_add(&fired_total, 1);
	return 0;
}

static __attribute__((always_inline)) __s64 act(void *map, struct timed *value, struct request *req)
{
	__u64 nsecs = req->value;
	if (!value)
		return -1000;
	switch (req->op & 0xff) {
	case 0:
		return timer_init(&value->timer, map, req->value);
	case 1:
		return timer_set_callback(&value->timer, on_fire);
	case 2:
		if (req->flags & TIMER_ABS)
			nsecs += ktime_get_ns();
		return timer_start(&value->timer, nsecs, req->flags);
	case 3:
		return timer_cancel(&value->timer);
	case 4:
		value->restarts = req->value;
		return 0;
	}
	return -1001;
}

SEC("tc")
int timers(struct __sk_buff *skb)
{
	struct request req;
	struct timed *value;
	__s64 result;
	if (read_request(skb, &req))
		return 2;
	if ((req.op & 0xff) == 5) {
		answer(skb, 0, fired_total);
		return 0;
	}
	switch (req.op >> 8) {
	case 0:
		value = map_lookup_elem(&timer_array, &req.key);
		result = act(&timer_array, value, &req);
		break;
	case 1:
		value = map_lookup_elem(&timer_hash, &req.key);
		result = act(&timer_hash, value, &req);
		break;
	default:
		value = map_lookup_elem(&timer_lru, &req.key);
		result = act(&timer_lru, value, &req);
		break;
	}
	answer(skb, result, value ? value->fired : 0);
	return 0;
}

LICENSE;
