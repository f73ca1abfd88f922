/* tc programs written as instruction sequences on one rule of the kernel's state pruning
 * (stacksafe): a stack byte known to be zero (STACK_ZERO) and a byte holding an unknown number
 * (STACK_MISC) are different kinds of slot even where no later check depends on the number. An
 * explored state whose byte was unknown covers a new one whose byte is zero (what was safe with
 * any number is safe with zero), never the other way round; a spilled number nothing depends on
 * matches any spilled number. Each program takes N two-way steps that join again; on each, one
 * way writes a byte (or spills a register) one way, the other way the other; the bytes are read
 * at the end (loaded, or handed to a helper that reads them), so they are live at every join.
 * When no state covers the other way's, the paths double at each step and a program of 21 steps
 * passes the kernel's limit of a million processed instructions (E2BIG); one of 10 steps loads.
 * Written for swift-tcx; the kernel's verdicts are recorded in stack_kinds.tcx
 * (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) { asm volatile (body ::: "memory"); }

/* r2 = skb->len, a number not known, fresh at each step (r1 stays the context). */
#define FRESH "r2 = *(u32 *)(r1 + 0); "
/* The way not jumped to (the one the kernel explores first) writes zero, the other r2. */
#define ZERO_FIRST(off) FRESH "if r2 > 1000 goto +2; *(u8 *)(r10 - " #off ") = 0; goto +1; " \
	"*(u8 *)(r10 - " #off ") = r2; "
/* The way not jumped to writes r2, the other zero. */
#define UNKNOWN_FIRST(off) FRESH "if r2 > 1000 goto +2; *(u8 *)(r10 - " #off ") = r2; goto +1; " \
	"*(u8 *)(r10 - " #off ") = 0; "
/* A register spilled whole: the number 0 one way, r2 the other. */
#define SPILL_ZERO_FIRST(off) FRESH "if r2 > 1000 goto +3; r3 = 0; *(u64 *)(r10 - " #off ") = r3; goto +1; " \
	"*(u64 *)(r10 - " #off ") = r2; "
/* Bytes not at a slot's start (those would be spills): 21 of them in three slots. */
#define STEPS_10(S) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(9) S(10) S(11)
#define STEPS_21(S) STEPS_10(S) S(12) S(13) S(14) S(15) S(17) S(18) S(19) S(20) S(21) S(22) S(23)
#define SPILLS_21(S) S(8) S(16) S(24) S(32) S(40) S(48) S(56) S(64) S(72) S(80) S(88) S(96) S(104) \
	S(112) S(120) S(128) S(136) S(144) S(152) S(160) S(168)
/* Reads the slots written (their numbers decide nothing), returns 0. */
#define READ_BYTES "r0 = *(u64 *)(r10 - 8); r0 = *(u64 *)(r10 - 16); r0 = *(u64 *)(r10 - 24); r0 = 0; exit;"
#define READ_SPILL(off) "r0 = *(u64 *)(r10 - " #off "); "
#define READ_SPILLS SPILLS_21(READ_SPILL) "r0 = 0; exit;"

/* Hands the three slots to bpf_skb_store_bytes (which reads them), returns 0. */
#define STORE_BYTES "r1 = r6; r2 = 0; r3 = r10; r3 += -24; r4 = 24; r5 = 0; call 9; r0 = 0; exit;"

/* Zero kept first, an unknown byte after: no state covers the next; 2^21 paths, E2BIG. */
PROGRAM(zero_then_unknown, STEPS_21(ZERO_FIRST) READ_BYTES)
/* The same with 10 steps: 2^10 paths, within the limit. */
PROGRAM(zero_then_unknown_short, STEPS_10(ZERO_FIRST) READ_BYTES)
/* The same, the bytes read by a helper rather than loaded: the kernel marks what a helper
 * reads through a memory argument as read too, E2BIG. */
PROGRAM(zero_then_unknown_stored, "r6 = r1; " STEPS_21(ZERO_FIRST) STORE_BYTES)
/* An unknown byte kept first covers the zero after: one path per step, loads. */
PROGRAM(unknown_then_zero, STEPS_21(UNKNOWN_FIRST) READ_BYTES)
/* Spilled numbers nothing depends on match whatever they are: loads. */
PROGRAM(imprecise_spills, SPILLS_21(SPILL_ZERO_FIRST) READ_SPILLS)

char _license[] SEC("license") = "GPL";
