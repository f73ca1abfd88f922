/* A bpf_user_ringbuf_drain (209) callback that keeps a count in its caller's stack through its
 * context, for measuring drain once it is followed on the caller's path (the bpf_loop forms
 * are a test fixture with their kernel counts: Tests/Fixtures/verifier/callback_counts.c).
 * Linux 6.18 processes 2,335 instructions; the embedded verifier 855 with drain's callback
 * verified apart as now, 2,335 with 209 in PathCallbacks.runsDuringCall (session 29; why it is
 * not there yet: docs/vm.md, "Precision in every frame").
 * Written for swift-tcx as a measurement, not a test. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

static long (*drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *)209;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

struct counts {
	__u64 first;
	__u64 second;
};

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

SEC("tc") int drain_sum(struct __sk_buff *skb) { struct counts c = {}; drain(&samples, sample_size, &c, 0); return c.second; }

char LICENSE[] SEC("license") = "GPL";
