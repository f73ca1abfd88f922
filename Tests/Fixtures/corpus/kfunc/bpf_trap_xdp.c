/* __builtin_trap() in XDP programs: as in tc, a path that reaches LLVM 21's __bpf_trap call is
 * refused (EFAULT), one the verifier proves dead loads. */
#include "kfuncs.h"

SEC("xdp")
int xdp_trap_reached(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data > 1000)
		__builtin_trap();
	return XDP_PASS;
}

/* The ingress interface's low byte is at most 255, so the trap is on no path. */
SEC("xdp")
int xdp_trap_dead(struct xdp_md *ctx)
{
	__u32 low = ctx->ingress_ifindex & 0xff;

	asm volatile("" : "+r"(low));
	if (low > 300)
		__builtin_trap();
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
