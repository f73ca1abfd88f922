/* XDP's packet dynptr (bpf_dynptr_from_xdp): made from the XDP context, sliced and read as an skb
 * dynptr is; its slices end when the packet may move; tc programs may not call it. Written for
 * swift-tcx; the kernel's verdicts are recorded in xdp_dynptr.tcx (load verdicts only: the
 * embedded backend runs no XDP program). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))

extern int bpf_dynptr_from_xdp(struct xdp_md *xdp, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) __ksym;
static long (*bpf_dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;
static long (*bpf_xdp_adjust_head)(struct xdp_md *xdp, int delta) = (void *)44;

/* A slice of the packet's first bytes, read while the packet stays put. */
SEC("xdp") int slice_read(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buffer[4] = {};
	__u8 *bytes;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return XDP_DROP;
	return bytes[3] == 0x45 ? XDP_PASS : XDP_DROP;
}

/* bpf_dynptr_read copies packet bytes out through the dynptr. */
SEC("xdp") int dynptr_read(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buffer[2];

	bpf_dynptr_from_xdp(ctx, 0, &ptr);
	if (bpf_dynptr_read(buffer, sizeof(buffer), &ptr, 12, 0))
		return XDP_DROP;
	return buffer[0] == 8 ? XDP_PASS : XDP_DROP;
}

/* bpf_xdp_adjust_head may move the packet: the slice taken before is gone. */
SEC("xdp") int slice_after_adjust_head(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	__u8 buffer[4] = {};
	volatile __u8 *bytes;

	if (bpf_dynptr_from_xdp(ctx, 0, &ptr))
		return XDP_DROP;
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return XDP_DROP;
	bpf_xdp_adjust_head(ctx, 0);
	return bytes[0];
}

/* The first argument must be the context itself. */
SEC("xdp") int from_stack_not_context(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	struct xdp_md fake = {};

	return bpf_dynptr_from_xdp(&fake, 0, &ptr) ? XDP_DROP : XDP_PASS;
}

/* Linux 6.18 registers the kfunc for XDP only. */
SEC("tc") int tc_calls_it(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;

	return bpf_dynptr_from_xdp((struct xdp_md *)skb, 0, &ptr);
}

char _license[] SEC("license") = "GPL";
