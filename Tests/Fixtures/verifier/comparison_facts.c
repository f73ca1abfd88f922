/* What a comparison teaches, and to which registers (issue 12): packet pointers that share an id
 * (one copied from the other) are bounded together by a comparison with the packet's end, so a
 * state where they share it covers no state where they do not; a pointer that may be NULL is
 * checked by a comparison with the immediate 0 only, not with a register that holds 0.
 * Instruction sequences written for swift-tcx; the kernel's verdicts are in comparison_facts.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field
#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

/* r2 and r3 point into the packet, each moved by a number of its own; on one way r2 becomes a
 * copy of r3. Only r3 is compared with the end, then a byte is read through r2. */
#define TWO_POINTERS(copy)							\
	"r9 = r1; call 5; r7 = r0; call 5; r6 = r0;"				\
	"r2 = *(u32 *)(r9 + 76); r3 = *(u32 *)(r9 + 76); r4 = *(u32 *)(r9 + 80);"	\
	"if r6 > 100 goto 2f; if r7 > 100 goto 2f;"				\
	"r2 += r6; r2 += 1; r3 += r7; r3 += 1;"				\
	copy									\
	"1: if r3 > r4 goto 2f; r5 = *(u8 *)(r2 - 1);"				\
	"2: r0 = 0; exit;"

/* On the way where r6 == r7, r2 = r3; on the other r2 keeps its own id. */
SEC("tc") NAKED int copy_on_one_way(void)
{ asm volatile (TWO_POINTERS("if r6 != r7 goto 1f; r2 = r3;") ::: "memory"); }
/* r2 = r3 on every way: the comparison bounds both. */
SEC("tc") NAKED int copy_on_every_way(void)
{ asm volatile (TWO_POINTERS("r2 = r3;") ::: "memory"); }

/* A lookup's result compared with a register holding 0, then read on the way where it differs. */
SEC("tc") NAKED int null_check_by_register(void)
{
	asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[values] ll;"
		      "call 1; r1 = 0; if r0 == r1 goto 1f; r0 = *(u64 *)(r0 + 0); 1: r0 = 0; exit;"
		      :: [values]"i"(&values) : "memory");
}
/* The same compared with the immediate 0. */
SEC("tc") NAKED int null_check_by_immediate(void)
{
	asm volatile ("r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[values] ll;"
		      "call 1; if r0 == 0 goto 1f; r0 = *(u64 *)(r0 + 0); 1: r0 = 0; exit;"
		      :: [values]"i"(&values) : "memory");
}

char LICENSE[] SEC("license") = "GPL";
