/* tc programs written as instruction sequences on which stack slots the kernel's pruning
 * compares before a helper call: only those the helper reads through its memory argument
 * (check_stack_range_initialized marks the bytes it looked at), not the whole frame. Each
 * program takes N two-way steps that join again; on each, the way the kernel explores first
 * writes a zero byte, the other an unknown one (a zero byte never covers an unknown one, so
 * states kept apart while those bytes are live double at each step). The bytes sit in the top
 * three slots (-1 ... -23); at the end bpf_skb_store_bytes reads 8 bytes of another slot
 * (-32), so the written bytes are dead at every join and the paths join after each step.
 * Written for swift-tcx; the kernel's verdicts are recorded in stack_arguments.tcx
 * (`tcx script --backend kernel --record`); the processed counts are in StackArgumentSlotsTests. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) { asm volatile (body ::: "memory"); }

/* r2 = skb->len, fresh at each step (r1 stays the context). */
#define FRESH "r2 = *(u32 *)(r1 + 0); "
/* The way not jumped to writes zero, the other r2. */
#define ZERO_FIRST(off) FRESH "if r2 > 1000 goto +2; *(u8 *)(r10 - " #off ") = 0; goto +1; " \
	"*(u8 *)(r10 - " #off ") = r2; "
#define STEPS_21(S) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(9) S(10) S(11) S(12) S(13) S(14) S(15) \
	S(17) S(18) S(19) S(20) S(21) S(22) S(23)
/* The slot at -32 holds a number before the steps. */
#define KEY_SLOT "r3 = 0; *(u64 *)(r10 - 32) = r3; r6 = r1; "
/* bpf_skb_store_bytes(skb, 0, r10 - 32, 8, 0): reads that slot alone; returns 0. */
#define STORE_KEY "r1 = r6; r2 = 0; r3 = r10; r3 += -32; r4 = 8; r5 = 0; call 9; r0 = 0; exit;"
/* The written bytes are dead at each join: one path per step, loads. */
PROGRAM(dead_beside_helper_memory, KEY_SLOT STEPS_21(ZERO_FIRST) STORE_KEY)

/* A map lookup whose key is the packet's first 8 bytes reads no slot of the stack either. */
#define __uint(field, n) int (*field)[n]
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__uint(key_size, 8);
	__uint(value_size, 8);
} by_packet SEC(".maps");

#define LOOKUP_PACKET_KEY "r2 = *(u32 *)(r6 + 76); r3 = *(u32 *)(r6 + 80); r4 = r2; r4 += 8;" \
	"if r4 > r3 goto +3; r1 = %[by_packet] ll; call 1; r0 = 0; exit;"
SEC("tc") NAKED void dead_beside_packet_key(void)
{
	asm volatile ("r6 = r1; " STEPS_21(ZERO_FIRST) LOOKUP_PACKET_KEY :: [by_packet]"i"(&by_packet) : "memory");
}

char _license[] SEC("license") = "GPL";
