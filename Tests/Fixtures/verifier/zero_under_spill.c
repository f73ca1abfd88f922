/* tc programs written as instruction sequences on one rule of the kernel's stack tracking: a
 * register spilled into the low bytes of a slot (a narrow spill, save_register_state) leaves the
 * slot's other bytes as they were, so a byte stored as zero above it still reads as the number
 * 0 (STACK_ZERO). A `volatile` buffer zeroed byte by byte is such a slot (the timer callbacks of
 * the kernel's async_stack_depth test read one). Each program reads the byte and, where it is
 * not 0, dereferences it: the kernel refuses that path when it cannot prove the byte zero.
 * Written for swift-tcx; the kernel's verdicts are recorded in zero_under_spill.tcx
 * (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) { asm volatile (body ::: "memory"); }

/* Loads when the byte at fp-1 is known 0, else dereferences a number (EACCES). */
#define READ_TOP_BYTE "r0 = *(u8 *)(r10 - 1); if r0 == 0 goto +1; r0 = *(u64 *)(r0 + 0); r0 = 0; exit; "

/* The top byte zeroed, then a zero spilled as two bytes under it: still zero. */
PROGRAM(zero_spill_under_zero_byte,
	"r2 = 0; *(u8 *)(r10 - 1) = r2; *(u16 *)(r10 - 8) = r2; " READ_TOP_BYTE)

/* The same with a four-byte spill, and the byte stored as an immediate. */
PROGRAM(zero_word_under_zero_byte,
	"*(u8 *)(r10 - 1) = 0; r2 = 0; *(u32 *)(r10 - 8) = r2; " READ_TOP_BYTE)

/* The top byte holds the packet's length, unknown: the spilled zero under it says nothing of it. */
PROGRAM(zero_spill_under_unknown_byte,
	"r2 = *(u32 *)(r1 + 0); *(u8 *)(r10 - 1) = r2; r2 = 0; *(u16 *)(r10 - 8) = r2; " READ_TOP_BYTE)

/* The zero spill first, the unknown byte over it: unknown. */
PROGRAM(unknown_byte_over_zero_spill,
	"r2 = 0; *(u16 *)(r10 - 8) = r2; r2 = *(u32 *)(r1 + 0); *(u8 *)(r10 - 1) = r2; " READ_TOP_BYTE)

char _license[] SEC("license") = "GPL";
