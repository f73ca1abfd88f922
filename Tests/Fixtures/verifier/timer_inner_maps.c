/* bpf_timer_init(timer, map, flags) wants the map the timer's value came from. A map of maps
 * hands out its inner maps by lookup, and the kernel tells each lookup's inner map apart (its
 * map_uid) when the inner value holds a timer: a value of one lookup goes only with the map of
 * that same lookup, never with a second lookup of the same slot nor with the inner definition
 * named directly (a map of its own). The same for a workqueue's bpf_wq_init. Load verdicts
 * only, recorded on Linux 6.18 in timer_inner_maps.tcx. Written for swift-tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field
#define __array(field, T) typeof(T) *field[]

struct slot {
	__u64 hits;
	struct bpf_timer timer;
};

struct timers {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot);
} timers_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct timers);
} by_slot SEC(".maps") = {
	.values = { [0] = &timers_a },
};

static void *(*lookup)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*timer_init)(struct bpf_timer *timer, void *map, __u64 flags) = (void *)BPF_FUNC_timer_init;

#define MONOTONIC 1

SEC("tc") int same_lookup(struct __sk_buff *skb)
{
	__u32 zero = 0;
	void *inner = lookup(&by_slot, &zero);
	if (!inner)
		return 0;
	struct slot *s = lookup(inner, &zero);
	if (!s)
		return 0;
	return timer_init(&s->timer, inner, MONOTONIC) == 0;
}

SEC("tc") int second_lookup(struct __sk_buff *skb)
{
	__u32 zero = 0;
	void *first = lookup(&by_slot, &zero);
	if (!first)
		return 0;
	void *again = lookup(&by_slot, &zero);
	if (!again)
		return 0;
	struct slot *s = lookup(first, &zero);
	if (!s)
		return 0;
	return timer_init(&s->timer, again, MONOTONIC) == 0;
}

SEC("tc") int named_value(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct slot *s = lookup(&timers_a, &zero);
	if (!s)
		return 0;
	void *inner = lookup(&by_slot, &zero);
	if (!inner)
		return 0;
	return timer_init(&s->timer, inner, MONOTONIC) == 0;
}

SEC("tc") int named_map(struct __sk_buff *skb)
{
	__u32 zero = 0;
	void *inner = lookup(&by_slot, &zero);
	if (!inner)
		return 0;
	struct slot *s = lookup(inner, &zero);
	if (!s)
		return 0;
	return timer_init(&s->timer, &timers_a, MONOTONIC) == 0;
}

SEC("tc") int named_both(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct slot *s = lookup(&timers_a, &zero);
	if (!s)
		return 0;
	return timer_init(&s->timer, &timers_a, MONOTONIC) == 0;
}

/* The same rule for a workqueue (bpf_wq_init's map). This machine's uapi header predates
 * struct bpf_wq: its layout, 16 opaque bytes. */
struct bpf_wq {
	__u64 opaque[2];
} __attribute__((aligned(8)));

struct job {
	struct bpf_wq work;
};

struct jobs {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct job);
} jobs_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct jobs);
} jobs_by_slot SEC(".maps") = {
	.values = { [0] = &jobs_a },
};

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __attribute__((section(".ksyms")));

SEC("tc") int wq_same_lookup(struct __sk_buff *skb)
{
	__u32 zero = 0;
	void *inner = lookup(&jobs_by_slot, &zero);
	if (!inner)
		return 0;
	struct job *j = lookup(inner, &zero);
	if (!j)
		return 0;
	return bpf_wq_init(&j->work, inner, 0) == 0;
}

SEC("tc") int wq_second_lookup(struct __sk_buff *skb)
{
	__u32 zero = 0;
	void *first = lookup(&jobs_by_slot, &zero);
	if (!first)
		return 0;
	void *again = lookup(&jobs_by_slot, &zero);
	if (!again)
		return 0;
	struct job *j = lookup(first, &zero);
	if (!j)
		return 0;
	return bpf_wq_init(&j->work, again, 0) == 0;
}

char LICENSE[] SEC("license") = "GPL";
