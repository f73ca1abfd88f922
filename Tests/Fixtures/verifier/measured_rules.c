/* tc programs written as instruction sequences, each on one verifier rule that measuring the
 * embedded verifier against the kernel's showed missing (issue 12): helper memory arguments,
 * references held across calls that leave the program, packet pointers a call invalidates,
 * pointers compared with zero, packet loads in subprograms, and one memory instruction used
 * through two pointer types. In pairs where it helps. Written for swift-tcx; the kernel's verdict
 * for each is recorded in measured_rules.tcx (`tcx script --backend kernel --record`). Built
 * with -mcpu=v4 for the sign-extending loads. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field
#define __array(field, T) typeof(T) *field[]
#define NAKED __attribute__((naked))

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jumps SEC(".maps");

/* An array of maps whose values are 8-byte arrays. */
struct inner_slots {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_slots);
} outer SEC(".maps");

/* A frozen read-only global (.rodata). */
const volatile __u32 mtu_setting = 1500;

/* r2 = data, r3 = data_end; exit 0 unless 8 bytes are there. */
#define PACKET8 "r2 = *(u32 *)(r1 + 76); r3 = *(u32 *)(r1 + 80); r4 = r2; r4 += 8; if r4 <= r3 goto +2; r0 = 0; exit; "
/* r6 = ctx, r7 = a TCP socket looked up with an all-zero tuple (exit 0 when there is none). */
#define LOOKUP "r6 = r1; r0 = 0; *(u64 *)(r10 - 16) = r0; *(u64 *)(r10 - 8) = r0; r2 = r10; r2 += -16; " \
	"r3 = 12; r4 = 0; r5 = 0; call 84; if r0 != 0 goto +2; r0 = 0; exit; r7 = r0; "
#define RELEASE "r1 = r7; call 86; "
#define TAIL_CALL "r1 = r6; r2 = %[jumps] ll; r3 = 0; call 12; "
#define DONE "r0 = 0; exit; "
#define PROGRAM(name, body) \
	SEC("tc") NAKED void name(void) \
	{ asm volatile (body :: [jumps] "i"(&jumps), [slots] "i"(&slots), [mtu] "i"(&mtu_setting), [outer] "i"(&outer) : "memory"); }

/* Memory arguments take stack, packet, map value or memory pointers, never the packet's end or
 * the context (EACCES). */
PROGRAM(csum_of_stack, "r0 = 0; *(u64 *)(r10 - 8) = r0; r1 = r10; r1 += -8; r2 = 8; r3 = 0; r4 = 0; r5 = 0; call 28; " DONE)
PROGRAM(csum_of_packet_end, "r1 = *(u32 *)(r1 + 80); r2 = 0; r3 = 0; r4 = 0; r5 = 0; call 28; " DONE)
PROGRAM(csum_of_context, "r2 = 4; r3 = 0; r4 = 0; r5 = 0; call 28; " DONE)
/* csum_diff may read the packet (its prototype sets pkt_access); skb_load_bytes may not write
 * into it: a packet pointer goes only to helpers that allow it (EACCES). */
PROGRAM(csum_of_packet, "r6 = r1; " PACKET8 "r1 = r2; r2 = 8; r3 = 0; r4 = 0; r5 = 0; call 28; " DONE)
PROGRAM(load_bytes_into_packet, "r6 = r1; " PACKET8 "r1 = r6; r3 = r2; r2 = 0; r4 = 4; call 26; " DONE)
/* check_mtu writes its mtu_len argument: a read-only global cannot take it (EACCES). */
PROGRAM(mtu_into_stack, "r0 = 0; *(u64 *)(r10 - 8) = r0; r3 = r10; r3 += -8; r2 = 0; r4 = 0; r5 = 0; call 163; " DONE)
PROGRAM(mtu_into_read_only_global, "r3 = %[mtu] ll; r2 = 0; r4 = 0; r5 = 0; call 163; " DONE)
/* A zero-sized helper access through a stack pointer with a variable offset must still stay in
 * the frame: [-16, -9] does, [-16, 47] runs past its top (EINVAL). */
PROGRAM(zero_sized_inside_stack, "r0 = 0; *(u64 *)(r10 - 16) = r0; *(u64 *)(r10 - 8) = r0; r1 = *(u32 *)(r1 + 0); "
	"r1 &= 7; r1 += -16; r1 += r10; r2 = 0; r3 = 0; call 113; " DONE)
PROGRAM(zero_sized_past_stack, "r0 = 0; *(u64 *)(r10 - 16) = r0; *(u64 *)(r10 - 8) = r0; r1 = *(u32 *)(r1 + 0); "
	"r1 &= 63; r1 += -16; r1 += r10; r2 = 0; r3 = 0; call 113; " DONE)

/* A sign-extending load of a number field is fine; of a field giving a pointer it is not
 * (EACCES). */
PROGRAM(signed_load_of_mark, "r2 = *(s32 *)(r1 + 8); " DONE)
PROGRAM(signed_load_of_data, "r2 = *(s32 *)(r1 + 76); " DONE)
PROGRAM(signed_load_of_data_end, "r2 = *(s32 *)(r1 + 80); " DONE)

/* skc_to_tcp_sock gives a view of the looked-up socket that shares its reference: releasing
 * the view releases the socket, and after a release neither may be used (EACCES). */
PROGRAM(socket_view_released, LOOKUP "r1 = r7; call 137; if r0 != 0 goto +4; " RELEASE DONE "r1 = r0; call 86; " DONE)
PROGRAM(socket_view_used_after_release, LOOKUP "r1 = r7; call 137; if r0 != 0 goto +4; " RELEASE DONE
	"r8 = r0; " RELEASE "r0 = *(u8 *)(r8 + 0); " DONE)

/* A tail call or a packet load past the packet never comes back: no reference may be held
 * then (EINVAL). */
PROGRAM(tail_call_after_release, LOOKUP RELEASE TAIL_CALL DONE)
PROGRAM(tail_call_holding_socket, LOOKUP TAIL_CALL RELEASE DONE)
PROGRAM(packet_load_after_release, LOOKUP RELEASE "r0 = *(u8 *)skb[0]; " DONE)
PROGRAM(packet_load_holding_socket, LOOKUP "r0 = *(u8 *)skb[0]; " RELEASE DONE)
/* Only a socket the program looked up may be released: the skb's holds no reference
 * (EINVAL). */
PROGRAM(release_looked_up_socket, LOOKUP RELEASE DONE)
PROGRAM(release_skb_socket, "r1 = *(u64 *)(r1 + 168); if r1 != 0 goto +2; r0 = 0; exit; call 86; " DONE)

/* A global function that may move the packet (through a helper, or a tail call whose program
 * may) leaves the caller's packet pointers numbers (EACCES); one that does not keeps them. A
 * tail call in the program itself does not: it either never comes back or changed nothing. */
static long (*skb_pull_data)(struct __sk_buff *skb, __u32 len) = (void *)BPF_FUNC_skb_pull_data;
__attribute__((noinline)) int packet_length(struct __sk_buff *skb)
{
	return skb->len;
}
__attribute__((noinline)) int pull_packet(struct __sk_buff *skb)
{
	return skb_pull_data(skb, 0);
}
__attribute__((noinline)) int jump_away(struct __sk_buff *skb)
{
	asm volatile ("r2 = %[jumps] ll; r3 = 0; call 12;" :: [jumps] "i"(&jumps) : "r0", "r1", "r2", "r3", "r4", "r5");
	return 0;
}
#define KEEP_PACKET "r6 = r1; " PACKET8 "r7 = r2; r1 = r6; "
PROGRAM(packet_kept_over_tail_call, "r6 = r1; " PACKET8 "r7 = r2; " TAIL_CALL "r0 = *(u8 *)(r7 + 0); " DONE)
PROGRAM(packet_kept_over_global_call, KEEP_PACKET "call packet_length; r0 = *(u8 *)(r7 + 0); " DONE)
PROGRAM(packet_kept_over_pulling_global, KEEP_PACKET "call pull_packet; r0 = *(u8 *)(r7 + 0); " DONE)
PROGRAM(packet_kept_over_tail_calling_global, KEEP_PACKET "call jump_away; r0 = *(u8 *)(r7 + 0); " DONE)

/* A map value (or a socket) compared with zero is never NULL; the context, the stack and the
 * packet are not known non-NULL, so both ways are followed (a NULL way that faults is refused,
 * a loop on it never ends). */
PROGRAM(value_compared_with_zero, "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[slots] ll; call 1; "
	"if r0 == 0 goto +3; r1 = 0; if r0 != 0 goto +1; r0 = *(u64 *)(r1 + 0); " DONE)
PROGRAM(context_compared_with_zero, "r2 = 0; if r1 != 0 goto +1; r0 = *(u64 *)(r2 + 0); " DONE)
PROGRAM(stack_compared_with_zero_loop, "r2 = r10; r3 = r2; r4 = r2; if r2 == 0 goto -3; " DONE)

/* A packet load in a subprogram may return 0 from it at once (the kernel's hidden exit): the
 * caller sees that return too. */
static __attribute__((noinline, naked, used)) int first_byte(void)
{
	asm volatile ("r6 = r1; r0 = *(u8 *)skb[0]; r0 = 1; exit;" ::: "memory");
}
PROGRAM(subprog_packet_load, "call first_byte; " DONE)
PROGRAM(subprog_packet_load_early_exit, "call first_byte; if r0 != 0 goto +1; r0 = r9; " DONE)

/* One store instruction through the stack on one path and the context on another: the kernel
 * rewrites context accesses per instruction (EINVAL); two stack places are fine. */
PROGRAM(one_store_two_stack_places, "r3 = *(u32 *)(r1 + 0); r2 = r10; r2 += -64; if r3 == 0 goto +2; r2 = r10; r2 += -128; "
	"r0 = 0; *(u32 *)(r2 + 48) = r0; " DONE)
PROGRAM(one_store_stack_or_context, "r3 = *(u32 *)(r1 + 0); r2 = r10; r2 += -64; if r3 == 0 goto +1; r2 = r1; "
	"r0 = 0; *(u32 *)(r2 + 48) = r0; " DONE)

/* A tail call may end the program from a subprogram only when BTF says the subprogram returns
 * an int (EINVAL otherwise; measured_no_btf.c has the case without BTF). */
static __attribute__((noinline, used)) void jump_from_void(struct __sk_buff *skb)
{
	asm volatile ("r2 = %[jumps] ll; r3 = 0; call 12;" :: [jumps] "i"(&jumps) : "r0", "r1", "r2", "r3", "r4", "r5");
}
static __attribute__((noinline, used)) int jump_from_int(struct __sk_buff *skb)
{
	asm volatile ("r2 = %[jumps] ll; r3 = 0; call 12;" :: [jumps] "i"(&jumps) : "r0", "r1", "r2", "r3", "r4", "r5");
	return 0;
}
PROGRAM(tail_call_in_int_subprog, "call jump_from_int; " DONE)
PROGRAM(tail_call_in_void_subprog, "call jump_from_void; " DONE)

/* A global function may read and write what its pointer parameter points to, const or not:
 * a read-only global cannot be passed (EINVAL, "Caller passes invalid args"); a writable one
 * can. */
__u32 packets_seen;
__attribute__((noinline)) int first_word(const __u32 *word)
{
	return word ? *word : 0;
}
SEC("tc") int global_reads_writable_global(struct __sk_buff *skb)
{
	return first_word(&packets_seen);
}
SEC("tc") int global_reads_read_only_global(struct __sk_buff *skb)
{
	return first_word((const __u32 *)&mtu_setting);
}

/* 32-bit bounds: a signed range that wraps around in unsigned terms ([-3, 5]) meeting an
 * unsigned one that excludes its negative part (at most 0x80000003) leaves [0, 5], so "above 5"
 * is dead; with at most 0xfffffffe, -3 and -2 stay possible and the fault is reached (EACCES). */
#define SIGNED_WRAP(limit) "call 7; if w0 > " limit " goto +6; if w0 s< -3 goto +5; if w0 s> 5 goto +4; " \
	"if w0 <= 5 goto +3; r1 = 0; r0 = *(u64 *)(r1 + 0); exit; " DONE
PROGRAM(signed_wrap_in_32_bits_dead, SIGNED_WRAP("-2147483645"))
PROGRAM(signed_wrap_in_32_bits_live, SIGNED_WRAP("-2"))

/* A lookup in a map of maps gives a map, NULL until checked: it may then be looked up in, but
 * not before the check, not moved and not written through (EACCES). */
#define OUTER "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[outer] ll; call 1; "
#define INNER_LOOKUP "r1 = r0; r2 = r10; r2 += -4; call 1; "
PROGRAM(inner_map_checked, OUTER "if r0 == 0 goto +4; " INNER_LOOKUP DONE)
PROGRAM(inner_map_unchecked, OUTER INNER_LOOKUP DONE)
PROGRAM(inner_map_moved, OUTER "if r0 == 0 goto +5; r0 += 8; " INNER_LOOKUP DONE)
PROGRAM(inner_map_written, OUTER "if r0 == 0 goto +2; r1 = 1; *(u64 *)(r0 + 0) = r1; " DONE)

/* may_goto: the verifier follows both ways, the body one may_goto deeper, and a loop bounded
 * only by it converges; a may_goto whose jump leads back to it with the same state is an
 * infinite loop (EINVAL). */
PROGRAM(may_goto_bounds_a_loop, "r6 = 0; may_goto +2; r6 += 1; goto -3; " DONE)
PROGRAM(may_goto_jumping_back, "r0 = 0; r1 = r0; may_goto -2; exit; ")

/* A number plus a constant stays tied to the number it was copied from (64-bit, once): a bound
 * learnt of one bounds the other, so r6 + r1 is inside the 8-byte value, or one byte past it
 * (EACCES). A second addition, or a 32-bit one, unties them: r1 is then unbounded. */
#define SLOT_AND_NUMBER "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[slots] ll; call 1; " \
	"if r0 != 0 goto +2; r0 = 0; exit; r6 = r0; call 5; r1 = r0; "
#define THROUGH_R1 "r6 += r1; r0 = *(u8 *)(r6 + 0); " DONE
PROGRAM(tied_sum_inside, SLOT_AND_NUMBER "r1 += 1; if r0 > 6 goto +3; " THROUGH_R1)
PROGRAM(tied_sum_past_end, SLOT_AND_NUMBER "r1 += 2; if r0 > 6 goto +3; " THROUGH_R1)
PROGRAM(tied_difference_inside, SLOT_AND_NUMBER "r1 -= 3; if r0 > 9 goto +4; if r0 < 3 goto +3; " THROUGH_R1)
PROGRAM(tied_sum_added_twice, SLOT_AND_NUMBER "r1 += 1; r1 += 1; if r0 > 5 goto +3; " THROUGH_R1)
PROGRAM(tied_sum_in_32_bits, SLOT_AND_NUMBER "w1 += 1; if r0 > 6 goto +3; " THROUGH_R1)

char _license[] SEC("license") = "GPL";
