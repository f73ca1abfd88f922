/* Loops bounded by the may_goto budget (the kernel's can_loop / cond_break), nested, from
 * counters only the packet knows: the analysis must see them converge at each may_goto (the
 * numbers of one iteration widened against the earlier ones') instead of following every
 * count. Written for swift-tcx; the kernel's verdicts are recorded in budget_loops.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

/* Two loops, each from the packet's length up to 1000, the inner one summing its counter. */
SEC("tc") NAKED int nested_from_unknown_counts(void)
{
	asm volatile (
	"r0 = 0;"
	"r6 = *(u32 *)(r1 + 0);"
	"1:"
	"if w6 s> 999 goto 4f;"
	"may_goto 4f;"
	"r7 = *(u32 *)(r1 + 0);"
	"2:"
	"if w7 s> 999 goto 3f;"
	"w0 += w7;"
	"may_goto 3f;"
	"w7 += 1;"
	"goto 2b;"
	"3:"
	"w6 += 1;"
	"goto 1b;"
	"4:"
	"r0 = 0;"
	"exit;" ::: "memory");
}

/* The same loops, the inner counter used as a stack offset: below 1000 is not within the
 * 8 bytes it indexes (and may be negative). */
SEC("tc") NAKED int nested_counter_as_offset(void)
{
	asm volatile (
	"r0 = 0;"
	"*(u64 *)(r10 - 8) = r0;"
	"r6 = *(u32 *)(r1 + 0);"
	"1:"
	"if w6 s> 999 goto 4f;"
	"may_goto 4f;"
	"r7 = *(u32 *)(r1 + 0);"
	"2:"
	"if w7 s> 999 goto 3f;"
	"r2 = r10;"
	"r2 += -8;"
	"r2 += r7;"
	"r0 = *(u8 *)(r2 + 0);"
	"may_goto 3f;"
	"w7 += 1;"
	"goto 2b;"
	"3:"
	"w6 += 1;"
	"goto 1b;"
	"4:"
	"r0 = 0;"
	"exit;" ::: "memory");
}

/* The inner counter masked to 0-7 before it indexes the 8 bytes: within them on every count. */
SEC("tc") NAKED int nested_counter_masked(void)
{
	asm volatile (
	"r0 = 0;"
	"*(u64 *)(r10 - 8) = r0;"
	"r6 = *(u32 *)(r1 + 0);"
	"1:"
	"if w6 s> 999 goto 4f;"
	"may_goto 4f;"
	"r7 = *(u32 *)(r1 + 0);"
	"2:"
	"if w7 s> 999 goto 3f;"
	"r3 = r7;"
	"r3 &= 7;"
	"r2 = r10;"
	"r2 += -8;"
	"r2 += r3;"
	"r0 = *(u8 *)(r2 + 0);"
	"may_goto 3f;"
	"w7 += 1;"
	"goto 2b;"
	"3:"
	"w6 += 1;"
	"goto 1b;"
	"4:"
	"r0 = 0;"
	"exit;" ::: "memory");
}

/* Each loop steps a copy of its counter and compares the old value, as compilers lay out
 * for-loops: the stepped counter's bounds move each iteration, so only widening ends them. */
SEC("tc") NAKED int nested_compare_before_step(void)
{
	asm volatile (
	"r0 = 0;"
	"r6 = *(u32 *)(r1 + 0);"
	"if w6 s> 999 goto 4f;"
	"1:"
	"w8 = w6;"
	"may_goto 4f;"
	"r7 = *(u32 *)(r1 + 0);"
	"if w7 s> 999 goto 3f;"
	"2:"
	"w9 = w7;"
	"w0 += w9;"
	"may_goto 3f;"
	"w7 = w9;"
	"w7 += 1;"
	"if w9 s< 999 goto 2b;"
	"3:"
	"w6 = w8;"
	"w6 += 1;"
	"if w8 s< 999 goto 1b;"
	"4:"
	"exit;" ::: "memory");
}

/* True while the may_goto budget lasts. */
static __attribute__((always_inline)) int budget_left(void)
{
	asm volatile goto ("may_goto %l[spent]" :::: spent);
	return 1;
spent:
	return 0;
}

/* A counter from a constant, which every comparison decides: followed through each value, as
 * the kernel follows a precise one, so the pointer it moves in step stays inside the array. */
SEC("tc") int constant_counter_moves_pointer(struct __sk_buff *skb)
{
	volatile __u64 words[16];
	volatile __u64 *word = words;
	long i;

#pragma clang loop unroll(disable)
	for (i = 0; i != 16 && budget_left(); i++)
		*word++ = i;
	return 0;
}

char _license[] SEC("license") = "GPL";
