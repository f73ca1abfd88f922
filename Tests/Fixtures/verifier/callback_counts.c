/* bpf_loop callbacks that keep counts in their caller's stack through their context (issue 12):
 * on each return to the call the kernel widens the counts nothing compared, so the loop
 * converges in a few runs. Their processed counts, recorded on Linux 6.18, are in
 * processed_counts.txt (ProcessedLikeTheKernelTests). Written for swift-tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

static long (*loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;
static __u32 (*random)(void) = (void *)BPF_FUNC_get_prandom_u32;

struct counts {
	__u64 first;
	__u64 second;
};

static long bump(__u64 index, struct counts *c)
{
	c->first++;
	return 0;
}

static long either(__u64 index, struct counts *c)
{
	if (random() & 1)
		c->first++;
	else
		c->second += 2;
	return 0;
}

static long scan(__u64 index, struct counts *c)
{
	int k;
	for (k = 0; k < 4; k++)
		if (random() & 1)
			break;
	c->first += k;
	return 0;
}

static long scan_long(__u64 index, struct counts *c)
{
	__u32 k;
	for (k = 0; k < 64; k++)
		if (random() & 1)
			break;
	c->second += k;
	return 0;
}

/* The count decides the return: it stays precise, and each run is followed. */
static long bounded(__u64 index, struct counts *c)
{
	if (c->first < 3)
		c->first++;
	return 0;
}

SEC("tc") int count_only(struct __sk_buff *skb) { struct counts c = {}; loop(100, bump, &c, 0); return c.first; }
SEC("tc") int two_ways(struct __sk_buff *skb) { struct counts c = {}; loop(100, either, &c, 0); return c.first; }
SEC("tc") int inner_loop(struct __sk_buff *skb) { struct counts c = {}; loop(100, scan, &c, 0); return c.first; }
SEC("tc") int inner_loop_sum(struct __sk_buff *skb) { struct counts c = {}; loop(skb->len, scan_long, &c, 0); return c.second; }
SEC("tc") int count_decides(struct __sk_buff *skb) { struct counts c = {}; loop(10, bounded, &c, 0); return c.first; }

char LICENSE[] SEC("license") = "GPL";
