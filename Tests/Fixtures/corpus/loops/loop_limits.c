/* What bpf_loop answers past BPF_MAX_LOOPS when its flags are the constant 0: the kernel
 * then runs its own inline loop instead of the helper, and that loop gives -E2BIG as a 32-bit
 * number, so a 64-bit comparison with zero finds it positive. The program tells the three
 * answers apart: a 64-bit negative (1), the inline loop's 0xfffffff9 (2), a count (3).
 * Written for swift-tcx; the kernel's results are recorded in loop_limits.tcx. */
#include "../kfunc/kfuncs.h"

static int keep_going(__u32 index, void *data)
{
	return 0;
}

SEC("tc") int loop_answer(struct __sk_buff *skb)
{
	__u32 calls;
	long ret;

	if (bpf_skb_load_bytes(skb, 16, &calls, sizeof(calls)))
		return -1;
	ret = bpf_loop(calls, keep_going, NULL, 0);
	if (ret < 0)
		return 1;
	if (ret == 0xfffffff9)
		return 2;
	return ret == calls ? 3 : 4;
}

char _license[] SEC("license") = "GPL";
