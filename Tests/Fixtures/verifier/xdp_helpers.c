/* XDP programs calling the helpers only XDP offers (and one only tc offers). Written for
 * swift-tcx; the kernel's verdicts are recorded in xdp_helpers.tcx. The embedded backend loads
 * XDP programs with the structural checks and its XDP helper set, and runs none of them. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

static long (*xdp_adjust_head)(struct xdp_md *ctx, int delta) = (void *)BPF_FUNC_xdp_adjust_head;
static long (*xdp_adjust_meta)(struct xdp_md *ctx, int delta) = (void *)BPF_FUNC_xdp_adjust_meta;
static long (*xdp_adjust_tail)(struct xdp_md *ctx, int delta) = (void *)BPF_FUNC_xdp_adjust_tail;
static __u64 (*xdp_get_buff_len)(struct xdp_md *ctx) = (void *)BPF_FUNC_xdp_get_buff_len;
static long (*xdp_load_bytes)(struct xdp_md *ctx, __u32 offset, void *buf, __u32 len) = (void *)BPF_FUNC_xdp_load_bytes;
static long (*xdp_store_bytes)(struct xdp_md *ctx, __u32 offset, void *buf, __u32 len) = (void *)BPF_FUNC_xdp_store_bytes;
static long (*skb_store_bytes)(void *ctx, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;

/* Room for 4 bytes of metadata in front of the packet, written and checked against data. */
SEC("xdp") int meta_room(struct xdp_md *ctx)
{
	if (xdp_adjust_meta(ctx, -4))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	__u32 *meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return XDP_DROP;
	*meta = 42;
	return XDP_PASS;
}

/* Drop the Ethernet header, then grow the tail back by as much. */
SEC("xdp") int head_and_tail(struct xdp_md *ctx)
{
	if (xdp_adjust_head(ctx, 14))
		return XDP_ABORTED;
	if (xdp_adjust_tail(ctx, 14))
		return XDP_DROP;
	return XDP_PASS;
}

/* Copy the first two bytes over the next two, through a stack buffer. */
SEC("xdp") int load_store(struct xdp_md *ctx)
{
	char buf[2];
	if (xdp_get_buff_len(ctx) < 4)
		return XDP_DROP;
	if (xdp_load_bytes(ctx, 0, buf, sizeof(buf)))
		return XDP_ABORTED;
	if (xdp_store_bytes(ctx, 2, buf, sizeof(buf)))
		return XDP_ABORTED;
	return XDP_PASS;
}

/* A kfunc every program type gets. */
extern void bpf_rcu_read_lock(void) __attribute__((section(".ksyms")));
extern void bpf_rcu_read_unlock(void) __attribute__((section(".ksyms")));

SEC("xdp") int rcu_region(struct xdp_md *ctx)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return XDP_PASS;
}

/* A tc helper: XDP does not offer it. */
SEC("xdp") int tc_helper(struct xdp_md *ctx)
{
	char c = 0;
	skb_store_bytes(ctx, 0, &c, 1, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
