/* bpf_loop with a fixed count: the kernel inlines the call (flags 0, one callback), so each
 * iteration is a bpf-to-bpf call of the callback; with flags the verifier cannot see are 0
 * (the skb's mark), the helper runs and calls the callback. The benchmark's rows with iterations. */
#include "tcx_bpf.h"

struct totals {
	__u64 sum;
	__u32 len;
};

static int add_one(__u32 index, void *data)
{
	struct totals *t = data;

	t->sum += index ^ t->len;
	return 0;
}

SEC("tcx/ingress")
int loop_sum(struct __sk_buff *skb)
{
	struct totals t = { .sum = 0, .len = skb->len };

	loop(64, add_one, &t, 0);
	return (int)(t.sum & 0xffff);
}

SEC("tcx/ingress")
int loop_sum_helper(struct __sk_buff *skb)
{
	struct totals t = { .sum = 0, .len = skb->len };

	loop(64, add_one, &t, skb->mark);
	return (int)(t.sum & 0xffff);
}

LICENSE("GPL");
