/* The stack a bpf_fastcall pattern costs: spills and fills around bpf_get_smp_processor_id in a
 * static function, removed by the kernel before it sums the frames of a call chain, unless
 * another instruction reaches their slots. The program's own frame takes the whole 512 bytes.
 * Written for swift-tcx; the kernel's verdicts are recorded in fastcall_stack.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

/* r1 spilled and filled around the call, nothing else: the pattern goes, 0 bytes stay. */
__attribute__((used)) static NAKED void pattern_only(void)
{
	asm volatile(
		"*(u64 *)(r10 - 8) = r1;"
		"call 8;"
		"r1 = *(u64 *)(r10 - 8);"
		"exit;" ::: "memory");
}

/* The same, then the slot read once more: the pattern stays, 8 bytes. */
__attribute__((used)) static NAKED void pattern_slot_read_again(void)
{
	asm volatile(
		"*(u64 *)(r10 - 8) = r1;"
		"call 8;"
		"r1 = *(u64 *)(r10 - 8);"
		"r0 = *(u64 *)(r10 - 8);"
		"exit;" ::: "memory");
}

/* The same around bpf_get_prandom_u32, no bpf_fastcall helper: the spill stays, 8 bytes. */
__attribute__((used)) static NAKED void not_fastcall(void)
{
	asm volatile(
		"*(u64 *)(r10 - 8) = r1;"
		"call 7;"
		"r1 = *(u64 *)(r10 - 8);"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int full_frame_then_pattern(void)
{
	asm volatile(
		"r1 = 1;"
		"*(u64 *)(r10 - 512) = r1;"
		"call pattern_only;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int full_frame_then_slot_read(void)
{
	asm volatile(
		"r1 = 1;"
		"*(u64 *)(r10 - 512) = r1;"
		"call pattern_slot_read_again;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int full_frame_then_other_helper(void)
{
	asm volatile(
		"r1 = 1;"
		"*(u64 *)(r10 - 512) = r1;"
		"call not_fastcall;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
