/* A global function's pointer to a context struct is the context only when it is the loading
 * program type's own (tc: __sk_buff, XDP: xdp_md); another type's context struct is plain memory
 * of its size. Written for swift-tcx; the kernel's verdicts are recorded in context_parameters.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NOINLINE __attribute__((noinline))

/* Reads the frame's length through the XDP context. */
NOINLINE int xdp_frame_length(struct xdp_md *frame)
{
	if (!frame)
		return 0;
	return (int)(frame->data_end - frame->data);
}

/* Reads the skb's length through the tc context. */
NOINLINE int skb_frame_length(struct __sk_buff *skb)
{
	if (!skb)
		return 0;
	return (int)skb->len;
}

SEC("xdp") int xdp_passes_its_context(struct xdp_md *ctx)
{
	return xdp_frame_length(ctx) > 60 ? XDP_PASS : XDP_DROP;
}

SEC("tc") int tc_passes_its_context(struct __sk_buff *skb)
{
	return skb_frame_length(skb) > 60 ? 0 : 2;
}

/* In tc, struct xdp_md is 24 bytes of memory: a copy on the stack is what it takes. */
SEC("tc") int tc_passes_an_xdp_md_copy(struct __sk_buff *skb)
{
	struct xdp_md copy = { .data = skb->len, .data_end = skb->len + 14 };
	return xdp_frame_length(&copy) == 14 ? 0 : 2;
}

/* ...and not the tc context itself. */
SEC("tc") int tc_passes_its_context_as_xdp_md(struct __sk_buff *skb)
{
	return xdp_frame_length((struct xdp_md *)skb) > 60 ? 0 : 2;
}

/* In XDP, struct __sk_buff is memory: the XDP context is refused for it. */
SEC("xdp") int xdp_passes_its_context_as_skb(struct xdp_md *ctx)
{
	return skb_frame_length((struct __sk_buff *)ctx) > 60 ? XDP_PASS : XDP_DROP;
}

/* A stack copy of a __sk_buff is memory an XDP program may pass. */
SEC("xdp") int xdp_passes_an_skb_copy(struct xdp_md *ctx)
{
	struct __sk_buff copy = {};
	copy.len = ctx->data_end - ctx->data;
	return skb_frame_length(&copy) > 60 ? XDP_PASS : XDP_DROP;
}

/* A stack buffer is no XDP context. */
SEC("xdp") int xdp_passes_stack_as_context(struct xdp_md *ctx)
{
	struct xdp_md copy = { .data = ctx->data };
	return xdp_frame_length(&copy) > 60 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
