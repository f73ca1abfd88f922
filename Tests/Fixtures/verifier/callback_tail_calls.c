/* Tail calls inside callbacks, as Linux 6.18 refuses them: a callback's own tail call (its
 * success would leave the callback), a callback calling a function that tail-calls; a tail
 * call next to a callback, not under it, loads. Written for swift-tcx; verdicts in
 * callback_tail_calls.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
static long (*bpf_loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)181;
static long (*bpf_for_each_map_elem)(void *map, void *callback, void *ctx, __u64 flags) = (void *)164;

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } targets SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 3); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");

/* What a callback receives: the skb it may hand to bpf_tail_call. */
struct carry { struct __sk_buff *skb; };

static __attribute__((noinline)) int hop(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &targets, 1);
	return 7;
}

static __attribute__((noinline)) int hop_twice(struct __sk_buff *skb)
{
	return hop(skb) + 1;
}

static __attribute__((noinline)) int is_big(__u64 n)
{
	return n > 50;
}

static long hops_itself(__u64 i, void *data)
{
	struct carry *c = data;
	bpf_tail_call(c->skb, &targets, 0);
	return 0;
}

static long calls_hop(__u64 i, void *data)
{
	struct carry *c = data;
	return hop(c->skb) == 7;
}

static long calls_hop_twice(__u64 i, void *data)
{
	struct carry *c = data;
	return hop_twice(c->skb) > 100;
}

static long visits_hop(void *map, __u32 *key, __u64 *value, void *data)
{
	struct carry *c = data;
	return hop(c->skb) == 3;
}

static long plain_step(__u64 i, void *data)
{
	return is_big(i);
}

SEC("tc") int callback_tail_call(struct __sk_buff *skb)
{
	struct carry c = { skb };
	bpf_loop(3, hops_itself, &c, 0);
	return 0;
}

SEC("tc") int callback_calls_tail_caller(struct __sk_buff *skb)
{
	struct carry c = { skb };
	bpf_loop(3, calls_hop, &c, 0);
	return 0;
}

SEC("tc") int callback_two_calls_down(struct __sk_buff *skb)
{
	struct carry c = { skb };
	bpf_loop(2, calls_hop_twice, &c, 0);
	return 0;
}

SEC("tc") int map_walk_tail_caller(struct __sk_buff *skb)
{
	struct carry c = { skb };
	bpf_for_each_map_elem(&counts, visits_hop, &c, 0);
	return 0;
}

SEC("tc") int tail_call_beside_callback(struct __sk_buff *skb)
{
	int r = hop(skb);
	bpf_loop(2, plain_step, 0, 0);
	return r;
}

SEC("tc") int callback_then_tail_call(struct __sk_buff *skb)
{
	bpf_loop(2, plain_step, 0, 0);
	return hop(skb);
}

char _license[] SEC("license") = "GPL";
