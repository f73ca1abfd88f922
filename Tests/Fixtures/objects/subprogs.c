/* Subprograms in .text, called directly and transitively, plus a bpf_loop callback. */
#include "tcx_bpf.h"

__noinline int leaf(int x)
{
	return x * 3 + 1;
}

static __noinline int middle(int x)
{
	return leaf(x) + leaf(x + 1);
}

__noinline int other(int x)
{
	return x ^ 0x5a;
}

static int step(__u32 index, void *ctx)
{
	*(__u32 *)ctx += index;
	return 0;
}

SEC("tcx/egress")
int uses_middle(struct __sk_buff *skb)
{
	return middle(skb->len) + leaf(skb->mark);
}

SEC("tcx/egress")
int uses_other(struct __sk_buff *skb)
{
	return other(skb->len);
}

SEC("tcx/ingress")
int uses_loop(struct __sk_buff *skb)
{
	__u32 sum = 0;
	loop(skb->len & 7, step, &sum, 0);
	return sum;
}

SEC("tcx/ingress")
int no_calls(struct __sk_buff *skb)
{
	return skb->len > 64;
}

LICENSE("GPL");
