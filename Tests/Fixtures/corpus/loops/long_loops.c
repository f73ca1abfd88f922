/* Long-running loops the verifier proves terminating: bpf_loop up to BPF_MAX_LOOPS calls,
 * nested bpf_loop, open-coded number iterators, and may_goto loops, some of which end only
 * when may_goto jumps. Each program reads its bounds from the request frame (u32 @16 and @20,
 * host order) and returns what it counted, so the run's length is the packet's choice.
 * Written for swift-tcx; the kernel's results are recorded in long_loops.tcx. */
#include "../kfunc/kfuncs.h"

/* The kernel's BPF_MAX_LOOPS: the most bpf_loop calls and number-iterator steps it allows. */
#define MAX_LOOPS (8u << 20)

/* True until the may_goto budget of this stack frame is spent. */
static __always_inline int may_continue(void)
{
	asm volatile goto("may_goto %l[spent]" :::: spent);
	return 1;
spent:
	return 0;
}

/* Passes of the loops, kept in global data, kept in global data: a number the verifier does not
 * follow, so that the loops' states converge (a counter it follows would be compared, made
 * precise, and the loop refused with E2BIG). */
static volatile __u64 passes;

struct bounds {
	__u32 outer, inner;
};

static __always_inline int read_bounds(struct __sk_buff *skb, struct bounds *b)
{
	return bpf_skb_load_bytes(skb, 16, b, sizeof(*b));
}

struct tally {
	__u64 count;
	__u32 inner;
};

static int count_one(__u32 index, void *data)
{
	((struct tally *)data)->count++;
	return 0;
}

/* bpf_loop(outer) counting its calls: BPF_MAX_LOOPS calls run, one more is E2BIG. */
SEC("tc") int loop_calls(struct __sk_buff *skb)
{
	struct bounds b;
	struct tally t = {};
	long ret;

	if (read_bounds(skb, &b))
		return -1;
	ret = bpf_loop(b.outer, count_one, &t, 0);
	/* The kernel's inlined bpf_loop gives -E2BIG as a 32-bit value: compared as one. */
	return ret == b.outer ? (int)t.count : (int)ret;
}

static int inner_loop(__u32 index, void *data)
{
	struct tally *t = data;

	bpf_loop(t->inner, count_one, t, 0);
	return 0;
}

/* bpf_loop(outer) whose callback runs bpf_loop(inner): outer * inner calls in all. */
SEC("tc") int nested_loop_calls(struct __sk_buff *skb)
{
	struct bounds b;
	struct tally t = {};

	if (read_bounds(skb, &b))
		return -1;
	t.inner = b.inner;
	bpf_loop(b.outer, inner_loop, &t, 0);
	return (int)t.count;
}

/* A number iterator over [0, outer): the steps it gives (none past BPF_MAX_LOOPS). */
SEC("tc") int iterator_steps(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 count = 0;
	int i;

	if (read_bounds(skb, &b))
		return -1;
	each_number(i, 0, (int)b.outer)
		count++;
	return count;
}

/* Nested number iterators: outer * inner steps of the inner one. */
SEC("tc") int nested_iterator_steps(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 count = 0;
	int i, j;

	if (read_bounds(skb, &b))
		return -1;
	each_number(i, 0, (int)b.outer) {
		each_number(j, 0, (int)b.inner)
			count++;
	}
	return count;
}


/* A loop only may_goto ends: whether it ran past BPF_MAX_LOOPS passes (the counted
 * may_goto stops at exactly that many; the timed one runs for a quarter second). */
SEC("tc") int endless_past_max_loops(struct __sk_buff *skb)
{
	passes = 0;
	while (may_continue())
		passes++;
	return passes > MAX_LOOPS;
}

/* The same loop returning its passes, for measurement (the timed count varies run to run). */
SEC("tc") int endless_passes(struct __sk_buff *skb)
{
	__u64 count;

	passes = 0;
	while (may_continue())
		passes++;
	count = passes;
	return count > 0x7fffffff ? 0x7fffffff : (int)count;
}

/* A may_goto loop that ends by itself after outer passes. */
SEC("tc") int guarded_count(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 count = 0;

	if (read_bounds(skb, &b))
		return -1;
	while (count < b.outer && may_continue())
		count++;
	return count;
}

/* Two nested may_goto loops (one budget for the frame), from the counts the request gives up
 * to 4000 each: (4000 - outer) * (4000 - inner) passes of the inner one. The counters start
 * unknown, as the verifier needs to see the loops converge; the passes go to global data. */
SEC("tc") int nested_guarded_count(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 i, j;

	if (read_bounds(skb, &b))
		return -1;
	passes = 0;
	for (i = b.outer; i < 4000 && may_continue(); i++)
		for (j = b.inner; j < 4000 && may_continue(); j++)
			passes++;
	return (int)passes;
}

static int guarded_inner(__u32 index, void *data)
{
	struct tally *t = data;
	__u32 j = 0;

	while (j < t->inner && may_continue()) {
		t->count++;
		j++;
	}
	return 0;
}

/* bpf_loop(outer) whose callback runs a may_goto loop of inner passes: each call is a new
 * frame with a budget of its own. */
SEC("tc") int guarded_in_loop(struct __sk_buff *skb)
{
	struct bounds b;
	struct tally t = {};

	if (read_bounds(skb, &b))
		return -1;
	t.inner = b.inner;
	bpf_loop(b.outer, guarded_inner, &t, 0);
	return (int)t.count;
}

static int endless_inner(__u32 index, void *data)
{
	struct tally *t = data;

	passes = 0;
	while (may_continue())
		passes++;
	t->count += passes > MAX_LOOPS;
	return 0;
}

/* bpf_loop(outer) whose callback runs a loop only may_goto ends: the calls whose loop ran
 * past BPF_MAX_LOOPS passes. Measured, not in long_loops.tcx: each call runs its whole slice,
 * which on the interpreter of a debug build takes minutes. */
SEC("tc") int endless_in_loop(struct __sk_buff *skb)
{
	struct bounds b;
	struct tally t = {};

	if (read_bounds(skb, &b))
		return -1;
	bpf_loop(b.outer, endless_inner, &t, 0);
	return (int)t.count;
}

char _license[] SEC("license") = "GPL";
