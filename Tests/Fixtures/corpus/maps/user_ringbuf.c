/* A USER_RINGBUF drained by a tc program: userspace produces samples (BPFUserRingBufferTests),
 * each request drains the ring with bpf_user_ringbuf_drain and the flags of the request.
 * The request's op picks the callback's behaviour: 0 takes every sample, 1 stops after the
 * first (returns 1), 2 tries to drain the same ring again from inside the callback (EBUSY in
 * the kernel), 3 writes 0x55 over each sample's first byte before reading it. The answer is
 * the drain's result, then at byte 54: samples seen, bytes seen (up to 64), the sum of the
 * first 8 bytes of the samples that have 8, and the nested drain's (or the write's) result. */
#include "maps.h"

static long (*user_ringbuf_drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *)209;
static long (*dynptr_write)(const struct bpf_dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags) = (void *)202;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

struct tally {
	__u64 count;
	__u64 bytes;
	__u64 sum;
	__s64 nested;
	__u32 op;
	__u32 pad;
};

static long ignore(struct bpf_dynptr *sample, void *ctx)
{
	return 0;
}

static long take(struct bpf_dynptr *sample, struct tally *tally)
{
	__u64 first = 0;
	__u32 size;
	tally->count++;
	if (tally->op == 3) {
		__u8 marker = 0x55;
		tally->nested = dynptr_write(sample, 0, &marker, 1, 0);
	}
	/* The size is what a read of growing length first refuses (no size helper in 6.18's
	 * helper list for tc): probe 8 bytes, then count bytes one by one up to 64. */
	if (dynptr_read(&first, sizeof(first), sample, 0, 0) == 0) {
		tally->sum += first;
	}
	for (size = 0; size < 64; size++) {
		__u8 byte;
		if (dynptr_read(&byte, 1, sample, size, 0))
			break;
	}
	tally->bytes += size;
	if (tally->op == 2)
		tally->nested = user_ringbuf_drain(&samples, ignore, 0, 0);
	return tally->op == 1;
}

SEC("tc")
int drain(struct __sk_buff *skb)
{
	struct request req;
	struct tally tally = {};
	long result;
	if (read_request(skb, &req))
		return 2;
	tally.op = req.op;
	result = user_ringbuf_drain(&samples, take, &tally, req.flags);
	answer(skb, result, 0);
	skb_store_bytes(skb, ANSWER_AT + 16, &tally, 32, 0);
	return 0;
}

LICENSE;
