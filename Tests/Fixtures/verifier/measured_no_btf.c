/* A tc program for measured_rules.tcx built without function records (.BTF.ext removed): a
 * subprogram with a tail call is refused without the records that say it returns an int
 * (EINVAL), as one with a packet load is. Written for swift-tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jumps SEC(".maps");

static __attribute__((noinline, used)) int jump_away(struct __sk_buff *skb)
{
	asm volatile ("r2 = %[jumps] ll; r3 = 0; call 12;" :: [jumps] "i"(&jumps) : "r0", "r1", "r2", "r3", "r4", "r5");
	return 0;
}

SEC("tc") __attribute__((naked)) void tail_call_in_subprog_without_btf(void)
{
	asm volatile ("call jump_away; r0 = 0; exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
