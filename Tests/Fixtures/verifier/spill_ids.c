/* Numbers spilled to the stack and filled back: a whole spill stays tied to its register, so
 * a bound learned on one holds for the other; a narrowing spill unties them; a narrower fill
 * gives the spilled number's low bytes; bytes inside a spilled zero read as zero; a store at
 * a variable offset changes only the slots its offsets reach. Each
 * program has a branch the kernel proves dead only when it knows the number: the dead branch
 * reads r9, never written, which the kernel refuses when it follows it.
 * Written for swift-tcx; the kernel's verdicts are recorded in spill_ids.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

/* Spilled whole, bounded in its register, filled: the fill is bounded too. */
SEC("tc") NAKED int whole_spill_tied(void)
{
	asm volatile(
		"call 7;"
		"*(u64 *)(r10 - 16) = r0;"
		"if r0 > 100 goto 1f;"
		"r3 = *(u64 *)(r10 - 16);"
		"if r3 <= 100 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* Bounded in the slot's fill, the register it was spilled from is bounded too. */
SEC("tc") NAKED int fill_bounds_register(void)
{
	asm volatile(
		"call 7;"
		"*(u64 *)(r10 - 8) = r0;"
		"r4 = *(u64 *)(r10 - 8);"
		"if r4 > 9 goto 1f;"
		"if r0 <= 9 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* A 32-bit spill of a number that fits in 32 bits, filled 32 bits: still tied. */
SEC("tc") NAKED int narrow_spill_that_fits(void)
{
	asm volatile(
		"call 7;"
		"w0 &= 0xffff;"
		"*(u32 *)(r10 - 8) = r0;"
		"if r0 > 50 goto 1f;"
		"r2 = *(u32 *)(r10 - 8);"
		"if r2 <= 50 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* A 32-bit spill of a 64-bit number unties them: the dead-looking branch is followed. */
SEC("tc") NAKED int narrowing_spill_unties(void)
{
	asm volatile(
		"call 7;"
		"r0 <<= 20;"
		"*(u32 *)(r10 - 8) = r0;"
		"if r0 > 16 goto 1f;"
		"r2 = *(u32 *)(r10 - 8);"
		"if r2 <= 16 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* The low half of a spilled number whose low 32 bits are known zero reads as zero. */
SEC("tc") NAKED int low_half_of_spill(void)
{
	asm volatile(
		"call 7;"
		"r0 <<= 32;"
		"*(u64 *)(r10 - 24) = r0;"
		"r5 = *(u32 *)(r10 - 24);"
		"if r5 == 0 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* The low half of a spilled number with unknown low bits is unknown. */
SEC("tc") NAKED int low_half_unknown(void)
{
	asm volatile(
		"call 7;"
		"r0 <<= 8;"
		"*(u64 *)(r10 - 24) = r0;"
		"r5 = *(u32 *)(r10 - 24);"
		"if r5 == 0 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* A byte in the middle of a spilled zero reads as zero. */
SEC("tc") NAKED int byte_inside_spilled_zero(void)
{
	asm volatile(
		"r0 = 0;"
		"*(u64 *)(r10 - 32) = r0;"
		"r2 = *(u8 *)(r10 - 27);"
		"if r2 == 0 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* Two bytes of a spilled constant that is not zero: unknown to the kernel. */
SEC("tc") NAKED int bytes_inside_spilled_constant(void)
{
	asm volatile(
		"r0 = 0x10000;"
		"*(u64 *)(r10 - 32) = r0;"
		"r2 = *(u16 *)(r10 - 28);"
		"if r2 == 0 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* A store at a variable offset into fp-64..fp-33 leaves the zero spilled at fp-8 alone. */
SEC("tc") NAKED int variable_store_beside_spill(void)
{
	asm volatile(
		"r0 = 0;"
		"*(u64 *)(r10 - 8) = r0;"
		"*(u64 *)(r10 - 40) = r0;"
		"*(u64 *)(r10 - 48) = r0;"
		"*(u64 *)(r10 - 56) = r0;"
		"*(u64 *)(r10 - 64) = r0;"
		"call 7;"
		"r0 &= 3;"
		"r0 <<= 3;"
		"r1 = r10;"
		"r1 += -64;"
		"r1 += r0;"
		"r2 = 5;"
		"*(u64 *)(r1 + 0) = r2;"
		"r3 = *(u64 *)(r10 - 8);"
		"if r3 == 0 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

/* The same store's offsets reaching fp-8: what the slot holds is no longer known. */
SEC("tc") NAKED int variable_store_over_spill(void)
{
	asm volatile(
		"r0 = 0;"
		"*(u64 *)(r10 - 8) = r0;"
		"*(u64 *)(r10 - 16) = r0;"
		"*(u64 *)(r10 - 24) = r0;"
		"*(u64 *)(r10 - 32) = r0;"
		"call 7;"
		"r0 &= 3;"
		"r0 <<= 3;"
		"r1 = r10;"
		"r1 += -32;"
		"r1 += r0;"
		"r2 = 5;"
		"*(u64 *)(r1 + 0) = r2;"
		"r3 = *(u64 *)(r10 - 8);"
		"if r3 == 0 goto 1f;"
		"r0 = *(u64 *)(r9 + 0);"
		"1: r0 = 0;"
		"exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
