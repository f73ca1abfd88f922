/* tc programs written as instruction sequences (so the compiler cannot fold them), each on one
 * rule of the kernel's known-bits ("tnum") and 32-/64-bit bounds tracking: a way the bits or
 * bounds rule out is never explored, so a bad access there does not count, and a bound the bits
 * give lets an access through. Written for swift-tcx; the kernel's verdict for each is recorded
 * in known_bits.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field
#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[64]);
} table SEC(".maps");

/* r0 = a value of `table` (key 0), or exit 0. */
#define VALUE "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[table] ll; call 1; if r0 != 0 goto +2; r0 = 0; exit; "
/* A dereference of a number: refused where a path reaches it. */
#define FAULT "r1 = 0; r0 = *(u64 *)(r1 + 0); exit; "
/* r6 = skb->len, r7 = skb->mark (numbers the verifier does not know). */
#define NUMBERS "r6 = *(u32 *)(r1 + 0); r7 = *(u32 *)(r1 + 8); "
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) { asm volatile (body :: [table] "i"(&table) : "memory"); }

/* (x & 0xf0) has bits 0-3 clear: it never equals 0x0f. */
PROGRAM(masked_never_equal, NUMBERS "r6 &= 0xf0; if r6 == 0x0f goto +2; r0 = 0; exit; " FAULT)
/* ... but may equal 0x10. */
PROGRAM(masked_may_equal, NUMBERS "r6 &= 0xf0; if r6 == 0x10 goto +2; r0 = 0; exit; " FAULT)
/* x | 1 is never zero. */
PROGRAM(or_one_never_zero, NUMBERS "r6 |= 1; if r6 == 0 goto +2; r0 = 0; exit; " FAULT)
/* (x & 0xf0) & 0x0f is never set. */
PROGRAM(jset_on_clear_bits, NUMBERS "r6 &= 0xf0; if r6 & 0x0f goto +2; r0 = 0; exit; " FAULT)
/* (x | 4) & 4 is always set: the fall-through is dead. */
PROGRAM(jset_on_set_bit, NUMBERS "r6 |= 4; if r6 & 4 goto +3; " FAULT "r0 = 0; exit;")
/* A taken `x & 1` learns bit 0: a second test of it goes the same way. */
PROGRAM(jset_learns_the_bit, NUMBERS "r6 &= 3; if r6 & 1 goto +2; r0 = 0; exit; if r6 & 1 goto +3; " FAULT "r0 = 0; exit;")
/* A fall-through `x & 2` learns bit 1 clear. */
PROGRAM(jset_learns_clear_bit, NUMBERS "r6 &= 3; if r6 & 2 goto +6; if r6 & 2 goto +2; r0 = 0; exit; " FAULT "r0 = 0; exit;")
/* x and x + 1024 with the low 30 bits of x clear differ in bit 10: never equal. */
PROGRAM(bits_disagree_never_equal, NUMBERS "r6 <<= 30; r7 = r6; r7 += 1024; if r7 == r6 goto +2; r0 = 0; exit; " FAULT)
/* The low half of x << 32 | 4 is 4, whatever the upper half. */
PROGRAM(low_half_known, NUMBERS "r6 <<= 32; r6 |= 4; if w6 != 4 goto +2; r0 = 0; exit; " FAULT)
/* A shifted masked number bounds an offset into a 64-byte map value: [0, 60] + 4 bytes fits. */
PROGRAM(shifted_offset_in_value, NUMBERS VALUE "r6 &= 0x0f; r6 <<= 2; r0 += r6; r0 = *(u32 *)(r0 + 0); r0 = 0; exit;")
/* [0, 124] + 4 bytes does not. */
PROGRAM(shifted_offset_past_value, NUMBERS VALUE "r6 &= 0x1f; r6 <<= 2; r0 += r6; r0 = *(u32 *)(r0 + 0); r0 = 0; exit;")
/* A shift right of a masked number: 0xff00 >> 10 is at most 63. */
PROGRAM(right_shift_in_value, NUMBERS VALUE "r6 &= 0xff00; r6 >>= 10; r0 += r6; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* An offset in 8-byte steps, [0, 56], added to the packet pointer and then checked. */
PROGRAM(shifted_offset_in_packet, "r2 = *(u32 *)(r1 + 76); r3 = *(u32 *)(r1 + 80); r4 = *(u32 *)(r1 + 0); r4 &= 7; r4 <<= 3; r2 += r4; r5 = r2; r5 += 8; if r5 > r3 goto +1; r0 = *(u64 *)(r2 + 0); r0 = 0; exit;")
/* The same offset added after the check: the moved pointer has no proven range of its own. */
PROGRAM(offset_added_after_packet_check, "r2 = *(u32 *)(r1 + 76); r3 = *(u32 *)(r1 + 80); r4 = *(u32 *)(r1 + 0); r5 = r2; r5 += 64; if r5 > r3 goto +4; r4 &= 7; r4 <<= 3; r2 += r4; r0 = *(u64 *)(r2 + 0); r0 = 0; exit;")
/* Two masked numbers multiplied: at most 15 * 3 = 45, inside the value. */
PROGRAM(product_in_value, NUMBERS VALUE "r6 &= 0x0f; r7 &= 3; r6 *= r7; r0 += r6; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* xor of masked numbers stays within their bits: 0x30 ^ 0x0f is at most 0x3f. */
PROGRAM(xor_in_value, NUMBERS VALUE "r6 &= 0x30; r7 &= 0x0f; r6 ^= r7; r0 += r6; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* An arithmetic shift of a sign-extended byte: [-8, 7], never above 7. */
PROGRAM(arithmetic_shift_bounded, NUMBERS "r6 = (s8)r6; r6 s>>= 4; if r6 s> 7 goto +2; r0 = 0; exit; " FAULT)
/* A 32-bit comparison bounds the low half; a number that fits in it is bounded whole. */
PROGRAM(narrow_compare_bounds, NUMBERS VALUE "if w6 > 63 goto +2; r0 += r6; r0 = *(u8 *)(r0 + 0); r0 = 0; exit;")
/* A 32-bit subtraction that wraps every value the same way stays bounded: [0x10, 0x1f] - 0x20. */
PROGRAM(narrow_wrap_bounded, NUMBERS "r6 &= 0x0f; r6 |= 0x10; w6 -= 0x20; if w6 < -16 goto +2; r0 = 0; exit; " FAULT)
/* Division is not followed: 10 / 2 is any number to the kernel, so the check does not prove 5. */
PROGRAM(quotient_unknown, "r6 = 10; r6 /= 2; if r6 == 5 goto +3; " FAULT "r0 = 0; exit;")
/* Nor is modulo: x % 8 may be anything. */
PROGRAM(remainder_unknown, NUMBERS "r6 %%= 8; if r6 < 8 goto +3; " FAULT "r0 = 0; exit;")
/* A 64-bit sum whose every outcome wraps keeps its bounds: (x | 2^63+2^61) * 2 is never below 2^62. */
PROGRAM(sum_wrapping_together, NUMBERS "r7 = 0xa000000000000000 ll; r6 |= r7; r6 += r6; r7 = 0x4000000000000000 ll; if r6 < r7 goto +2; r0 = 0; exit; " FAULT)
/* x << 32 | 2, doubled: whatever wraps, the low bits stay 4, so it is never zero. */
PROGRAM(sum_keeps_low_bits, "call 7; r6 = r0; r6 <<= 32; r6 |= 2; r6 += r6; if r6 == 0 goto +2; r0 = 0; exit; " FAULT)

char _license[] SEC("license") = "GPL";
