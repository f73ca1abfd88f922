/* An XDP program that reads its own context (xdp_md), beside a tc program in the same file:
 * the embedded backend loads both and test-runs only the tc one. */
#include "tcx_bpf.h"

SEC("xdp") int xdp_reads_md(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 14 > end)
		return 1; /* XDP_DROP */
	return ctx->ingress_ifindex + ctx->rx_queue_index == 1 ? 2 : 0; /* XDP_PASS : XDP_ABORTED */
}

SEC("tc") int tc_beside_xdp(struct __sk_buff *skb) { return skb->len > 20 ? 2 : 0; }

LICENSE("GPL");
