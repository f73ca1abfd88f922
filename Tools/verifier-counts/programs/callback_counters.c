/* Callbacks that keep counts in their caller's stack through their context: bpf_loop's (181)
 * and bpf_user_ringbuf_drain's (209). The kernel widens the counts it never compared on each
 * return from the callback and converges in a few runs. Linux 6.18 / embedded before session
 * 29's precision in every frame / after (docs/vm.md, "Precision in every frame"):
 *   count_only 25 / 81 / 25, two_ways 85 / 1,031 / 83, inner_loop 109 / 1,819 / 109,
 *   inner_loop_sum 1,693 / gave up at 1,000,001 / 1,693; drain_sum 2,335 / gave up / 2,335 when
 *   drain is followed on the caller's path (PathCallbacks.runsDuringCall with 209, not yet: see
 *   the docs for why).
 * Written for swift-tcx as a measurement, not a test. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

static long (*loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)181;
static long (*drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *)209;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;
static __u32 (*random)(void) = (void *)BPF_FUNC_get_prandom_u32;

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

static long sample_size(struct bpf_dynptr *sample, struct counts *c)
{
	__u32 size;
	for (size = 0; size < 64; size++) {
		__u8 byte;
		if (dynptr_read(&byte, 1, sample, size, 0))
			break;
	}
	c->second += size;
	return 0;
}

SEC("tc") int count_only(struct __sk_buff *skb) { struct counts c = {}; loop(100, bump, &c, 0); return c.first; }
SEC("tc") int two_ways(struct __sk_buff *skb) { struct counts c = {}; loop(100, either, &c, 0); return c.first; }
SEC("tc") int inner_loop(struct __sk_buff *skb) { struct counts c = {}; loop(100, scan, &c, 0); return c.first; }
SEC("tc") int inner_loop_sum(struct __sk_buff *skb) { struct counts c = {}; loop(skb->len, scan_long, &c, 0); return c.second; }
SEC("tc") int drain_sum(struct __sk_buff *skb) { struct counts c = {}; drain(&samples, sample_size, &c, 0); return c.second; }

char LICENSE[] SEC("license") = "GPL";
