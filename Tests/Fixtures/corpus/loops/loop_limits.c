/* What bpf_loop answers past BPF_MAX_LOOPS. When its flags are the constant 0 the kernel runs
 * its own inline loop instead of the helper, and that loop gives -E2BIG as a 32-bit number, so
 * a 64-bit comparison with zero finds it positive; when the flags come from the packet the
 * helper runs and answers a 64-bit -E2BIG. The programs tell the answers apart: a 64-bit
 * negative (1), the inline loop's 0xfffffff9 (2), the count (3), something else (4).
 * Written for swift-tcx; the kernel's results are recorded in loop_limits.tcx. */
#include "../kfunc/kfuncs.h"

static int keep_going(__u32 index, void *data)
{
	return 0;
}

static __always_inline int classify(long ret, __u32 calls)
{
	if (ret < 0)
		return 1;
	if (ret == 0xfffffff9)
		return 2;
	return ret == calls ? 3 : 4;
}

struct request {
	__u32 calls, flags;
};

SEC("tc") int loop_answer(struct __sk_buff *skb)
{
	struct request req;

	if (bpf_skb_load_bytes(skb, 16, &req, sizeof(req)))
		return -1;
	return classify(bpf_loop(req.calls, keep_going, NULL, 0), req.calls);
}

SEC("tc") int loop_answer_flags(struct __sk_buff *skb)
{
	struct request req;

	if (bpf_skb_load_bytes(skb, 16, &req, sizeof(req)))
		return -1;
	return classify(bpf_loop(req.calls, keep_going, NULL, req.flags), req.calls);
}

char _license[] SEC("license") = "GPL";
