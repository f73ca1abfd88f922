/* bpf_loop and bpf_user_ringbuf_drain callbacks that keep counts in their caller's stack through
 * their context (issue 12): on each return to the call the kernel widens the counts nothing
 * compared, so the loop converges in a few runs. Their processed counts, recorded on Linux 6.18,
 * are in processed_counts.txt (ProcessedLikeTheKernelTests). Written for swift-tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

static long (*loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;
static __u32 (*random)(void) = (void *)BPF_FUNC_get_prandom_u32;
static long (*drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_user_ringbuf_drain;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) =
	(void *)BPF_FUNC_dynptr_read;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

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

/* A drained sample counted in the caller's stack. */
static long tally(struct bpf_dynptr *sample, struct counts *c)
{
	c->first++;
	return 0;
}

/* How many of a sample's first 32 bytes read one at a time (a helper reading into the
 * callback's own stack at each step), added up in the caller's stack. */
static long measure(struct bpf_dynptr *sample, struct counts *c)
{
	__u32 at;
	for (at = 0; at < 32; at++) {
		__u8 byte;
		if (dynptr_read(&byte, sizeof(byte), sample, at, 0))
			break;
	}
	c->second += at;
	return 0;
}

SEC("tc") int count_only(struct __sk_buff *skb) { struct counts c = {}; loop(100, bump, &c, 0); return c.first; }
SEC("tc") int two_ways(struct __sk_buff *skb) { struct counts c = {}; loop(100, either, &c, 0); return c.first; }
SEC("tc") int inner_loop(struct __sk_buff *skb) { struct counts c = {}; loop(100, scan, &c, 0); return c.first; }
SEC("tc") int inner_loop_sum(struct __sk_buff *skb) { struct counts c = {}; loop(skb->len, scan_long, &c, 0); return c.second; }
SEC("tc") int count_decides(struct __sk_buff *skb) { struct counts c = {}; loop(10, bounded, &c, 0); return c.first; }

SEC("tc") int drain_tally(struct __sk_buff *skb) { struct counts c = {}; drain(&samples, tally, &c, 0); return c.first; }
SEC("tc") int drain_measure(struct __sk_buff *skb) { struct counts c = {}; drain(&samples, measure, &c, 0); return c.second; }

char LICENSE[] SEC("license") = "GPL";
