/* __builtin_trap() as LLVM 21 compiles it: a call of the kfunc __bpf_trap. Linux 6.16+ has it,
 * so the object loads while no path reaches the call; a path that does is refused (EFAULT), in
 * a classifier or an action alike. */
#include "kfuncs.h"

SEC("tc")
int trap_reached(struct __sk_buff *skb)
{
	if (skb->len > 1000)
		__builtin_trap();
	return 0;
}

/* The length's low byte is at most 255 to the verifier (the empty asm hides that from clang),
 * so the trap is on no path and the program loads and runs. */
SEC("tc")
int trap_dead(struct __sk_buff *skb)
{
	__u32 low = skb->len & 0xff;

	asm volatile("" : "+r"(low));
	if (low > 300)
		__builtin_trap();
	return low;
}

SEC("action")
int trap_in_action(struct __sk_buff *skb)
{
	if (skb->mark == 7)
		__builtin_trap();
	return 0;
}

char _license[] SEC("license") = "GPL";
