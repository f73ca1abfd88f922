/* tc programs setting a timer whose callback calls a function: the callback runs later on its
 * own stack, so the kernel adds up the frames of the chain it starts (callback, then callee)
 * against the 512 bytes as it does from the program's entry (check_max_stack_depth: an async
 * callback is a root). Written for swift-tcx; the kernel's verdicts are recorded in
 * async_root_stack.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct slot {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

/* Each fills a scratch buffer of its size on the stack and gives back one byte of it. */
#define SCRATCH(name, bytes) \
	static __attribute__((noinline)) int name(int seed) \
	{ \
		volatile char scratch[bytes] = {}; \
		scratch[1] = (char)seed; \
		return scratch[1]; \
	}
SCRATCH(scratch_200, 200)
SCRATCH(scratch_360, 360)

/* 200 + 360 bytes from the callback's entry: past 512 (EACCES). */
static int deep_callback(void *map, int *key, struct slot *value)
{
	volatile char mine[200] = {};

	mine[2] = (char)scratch_360(*key);
	return 0;
}

/* 200 + 200 bytes: within 512, loads. */
static int shallow_callback(void *map, int *key, struct slot *value)
{
	volatile char mine[200] = {};

	mine[2] = (char)scratch_200(*key);
	return 0;
}

static __attribute__((always_inline)) int arm(void *callback)
{
	int zero = 0;
	struct slot *slot = bpf_map_lookup_elem(&slots, &zero);

	if (!slot)
		return 0;
	bpf_timer_init(&slot->timer, &slots, 1 /* CLOCK_MONOTONIC */);
	bpf_timer_set_callback(&slot->timer, callback);
	return 0;
}

SEC("tc") int deep_timer(struct __sk_buff *skb)
{
	return arm(deep_callback);
}

SEC("tc") int shallow_timer(struct __sk_buff *skb)
{
	return arm(shallow_callback);
}

char _license[] SEC("license") = "GPL";
