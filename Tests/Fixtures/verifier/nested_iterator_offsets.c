/* An offset changed inside one inner iterator loop and added to a pointer inside another, both
 * inside an outer iterator loop (issue 12). Linux 6.18 explores an iterator's drained way first,
 * so the changed offset reaches the outer loop's next call before any path has added it to a
 * pointer: the offset is not precise there yet, is widened to unbounded, and the addition is
 * refused for that. Written for swift-tcx in assembly, so the order of the ways is the one
 * written; the kernel's verdicts are recorded in nested_iterator_offsets.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
#define __ksym __attribute__((section(".ksyms")))

struct bpf_iter_num {
	__u64 opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	__u64 (*value)[2];
} pairs SEC(".maps");

#define ITER_NEW(slot) "r1 = r10;" "r1 += " #slot ";" "r2 = 0;" "r3 = 4;" "call %[iter_new];"
#define ITER_NEXT(slot) "r1 = r10;" "r1 += " #slot ";" "call %[iter_next];"
#define ITER_DESTROY(slot) "r1 = r10;" "r1 += " #slot ";" "call %[iter_destroy];"
#define ITERATORS [iter_new] "i"(bpf_iter_num_new), [iter_next] "i"(bpf_iter_num_next), \
	[iter_destroy] "i"(bpf_iter_num_destroy)
/* r6 = the value of key 0 of `pairs` (16 bytes), or the program returns 0. */
#define LOOKUP_PAIR "r1 = 0;" "*(u32 *)(r10 - 24) = r1;" "r2 = r10;" "r2 += -24;" \
	"r1 = %[pairs] ll;" "call 1;" "if r0 == 0 goto 9f;" "r6 = r0;"

/* The outer loop (iterator at fp-16) runs two inner ones in turn (at fp-8). In the first, from
 * its second element on (r7 set by the first), the value pointer moves by r9 and 8 bytes are
 * stored there; in the second, from its second element on, r9 becomes 9 (8 bytes at 9 would
 * pass the 16-byte value's end). The 9 reaches the outer next call first, where r9 is widened:
 * refused at the addition (EINVAL), not at the store. */
SEC("tc") NAKED int value_offset_from_second_loop(void)
{
	asm volatile(
		LOOKUP_PAIR
		"r9 = 8;"
		ITER_NEW(-16)
	"1:"
		ITER_NEXT(-16)
		"if r0 == 0 goto 8f;"
		ITER_NEW(-8)
		"r7 = 0;"
	"2:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 3f;"
		"if r7 == 0 goto 21f;"
		"r0 = r6;"
		"r0 += r9;"
		"r1 = 7;"
		"*(u64 *)(r0 + 0) = r1;"
		ITER_DESTROY(-8)
		ITER_DESTROY(-16)
		"r0 = 0;"
		"exit;"
	"21:"
		"r7 = 1;"
		"goto 2b;"
	"3:"
		ITER_DESTROY(-8)
		ITER_NEW(-8)
		"r7 = 0;"
	"4:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 5f;"
		"if r7 == 0 goto 41f;"
		"r9 = 9;"
	"41:"
		"r7 = 1;"
		"goto 4b;"
	"5:"
		ITER_DESTROY(-8)
		"goto 1b;"
	"8:"
		ITER_DESTROY(-16)
	"9:"
		"r0 = 0;"
		"exit;"
		:: ITERATORS, [pairs] "i"(&pairs) : "memory");
}

/* The same loops on the stack: r9 starts at -32 (an aligned slot) and the second inner loop
 * makes it -31 (misaligned). */
SEC("tc") NAKED int stack_offset_from_second_loop(void)
{
	asm volatile(
		"r9 = -32;"
		ITER_NEW(-16)
	"1:"
		ITER_NEXT(-16)
		"if r0 == 0 goto 8f;"
		ITER_NEW(-8)
		"r7 = 0;"
	"2:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 3f;"
		"if r7 == 0 goto 21f;"
		"r0 = r10;"
		"r0 += r9;"
		"r1 = 7;"
		"*(u64 *)(r0 + 0) = r1;"
		ITER_DESTROY(-8)
		ITER_DESTROY(-16)
		"r0 = 0;"
		"exit;"
	"21:"
		"r7 = 1;"
		"goto 2b;"
	"3:"
		ITER_DESTROY(-8)
		ITER_NEW(-8)
		"r7 = 0;"
	"4:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 5f;"
		"if r7 == 0 goto 41f;"
		"r9 = -31;"
	"41:"
		"r7 = 1;"
		"goto 4b;"
	"5:"
		ITER_DESTROY(-8)
		"goto 1b;"
	"8:"
		ITER_DESTROY(-16)
		"r0 = 0;"
		"exit;"
		:: ITERATORS : "memory");
}

/* The pointer moves by r9 in the outer loop's body before the inner loop, so the path with 8
 * reaches the addition first: r9 is precise at the outer next call when 9 comes back to it,
 * kept, and the store at 9 is refused. */
SEC("tc") NAKED int value_offset_added_first(void)
{
	asm volatile(
		LOOKUP_PAIR
		"r9 = 8;"
		ITER_NEW(-16)
	"1:"
		ITER_NEXT(-16)
		"if r0 == 0 goto 8f;"
		"r0 = r6;"
		"r0 += r9;"
		"r1 = 7;"
		"*(u64 *)(r0 + 0) = r1;"
		ITER_NEW(-8)
		"r7 = 0;"
	"4:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 5f;"
		"if r7 == 0 goto 41f;"
		"r9 = 9;"
	"41:"
		"r7 = 1;"
		"goto 4b;"
	"5:"
		ITER_DESTROY(-8)
		"goto 1b;"
	"8:"
		ITER_DESTROY(-16)
	"9:"
		"r0 = 0;"
		"exit;"
		:: ITERATORS, [pairs] "i"(&pairs) : "memory");
}

/* As value_offset_from_second_loop, but the second loop makes r9 0: both offsets are safe, yet
 * r9 is widened all the same and the addition refused (EINVAL; loaded here before). */
SEC("tc") NAKED int value_offset_stays_inside(void)
{
	asm volatile(
		LOOKUP_PAIR
		"r9 = 8;"
		ITER_NEW(-16)
	"1:"
		ITER_NEXT(-16)
		"if r0 == 0 goto 8f;"
		ITER_NEW(-8)
		"r7 = 0;"
	"2:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 3f;"
		"if r7 == 0 goto 21f;"
		"r0 = r6;"
		"r0 += r9;"
		"r1 = 7;"
		"*(u64 *)(r0 + 0) = r1;"
		ITER_DESTROY(-8)
		ITER_DESTROY(-16)
		"r0 = 0;"
		"exit;"
	"21:"
		"r7 = 1;"
		"goto 2b;"
	"3:"
		ITER_DESTROY(-8)
		ITER_NEW(-8)
		"r7 = 0;"
	"4:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 5f;"
		"if r7 == 0 goto 41f;"
		"r9 = 0;"
	"41:"
		"r7 = 1;"
		"goto 4b;"
	"5:"
		ITER_DESTROY(-8)
		"goto 1b;"
	"8:"
		ITER_DESTROY(-16)
	"9:"
		"r0 = 0;"
		"exit;"
		:: ITERATORS, [pairs] "i"(&pairs) : "memory");
}

/* Two ways into one loop, r8 0 on the first and 100 on the second. In the loop's body the
 * way that copies r8 into r9 is followed first and comes back to the next call as the earlier
 * iteration was (converged) before the other way adds r9 to the value pointer. So r8 decides
 * something only through the converged way: the second way into the loop must not be pruned
 * at the next call for r8 being imprecise there. Followed, its r9 becomes 100, is widened at
 * the next iteration and the addition refused (EINVAL). (Loaded by a first version of the
 * convergence rule that handed the earlier iteration's present marks on and let the states
 * before the loop cover with them.) */
SEC("tc") NAKED int copied_offset_checked_later(void)
{
	asm volatile(
		LOOKUP_PAIR
		"call %[prandom];"
		"if r0 == 0 goto 1f;"
		"r8 = 0;"
		"goto 2f;"
	"1:"
		"r8 = 100;"
	"2:"
		"r9 = 0;"
		ITER_NEW(-8)
	"3:"
		ITER_NEXT(-8)
		"if r0 == 0 goto 5f;"
		"call %[prandom];"
		"if r0 != 0 goto 4f;"
		"r9 = r8;"
		"goto 3b;"
	"4:"
		"r0 = r6;"
		"r0 += r9;"
		"r1 = 1;"
		"*(u8 *)(r0 + 0) = r1;"
		"goto 3b;"
	"5:"
		ITER_DESTROY(-8)
	"9:"
		"r0 = 0;"
		"exit;"
		:: ITERATORS, [pairs] "i"(&pairs), [prandom] "i"(BPF_FUNC_get_prandom_u32) : "memory");
}

/* The same shape in C, with every offset inside the value: loads. (It also gives the object
 * the BTF of the three kfuncs, which the assembly above only names.) */
SEC("tc") int nested_loops_in_c(struct __sk_buff *skb)
{
	struct bpf_iter_num outer, inner;
	__u32 key = 0;
	__u64 *pair = bpf_map_lookup_elem(&pairs, &key);
	int offset = 0, *v;

	if (!pair)
		return 0;
	bpf_iter_num_new(&outer, 0, 4);
	while (bpf_iter_num_next(&outer)) {
		bpf_iter_num_new(&inner, 0, 4);
		while ((v = bpf_iter_num_next(&inner)))
			offset = *v & 1;
		bpf_iter_num_destroy(&inner);
		pair[offset] += 1;
	}
	bpf_iter_num_destroy(&outer);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
