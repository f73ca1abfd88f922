/* Where a function's verification ends and which functions are verified at all: a tail call
 * from a static function may succeed, and the program it runs returns to that function's
 * caller; a global function no path calls is never verified.
 * Written for swift-tcx; the kernel's verdicts are recorded in subprog_exits.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))
#define __uint(name, val) int (*name)[val]

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(max_entries, 2);
} jumps SEC(".maps");

/* Stores -16 into the caller's slot *r2 once its tail call fails (the kernel wants a function
 * with a tail call to return int). */
__attribute__((used)) static NAKED int store_after_tail_call(void)
{
	asm volatile(
		"r7 = r2;"
		"r2 = %[jumps] ll;"
		"r3 = 1;"
		"call 12;"
		"r1 = -16;"
		"*(u64 *)(r7 + 0) = r1;"
		"r0 = 0;"
		"exit;" :: [jumps] "i"(&jumps) : "memory");
}

/* fp-8 holds 0 before the call: when the tail call succeeds it still does after it, and the
 * stack read at fp+0 is out of bounds. */
SEC("tc") NAKED int offset_kept_by_tail_call(void)
{
	asm volatile(
		"r6 = r1;"
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r6;"
		"r2 = r10;"
		"r2 += -8;"
		"call store_after_tail_call;"
		"r1 = *(u64 *)(r10 - 8);"
		"r2 = r10;"
		"r2 += r1;"
		"r0 = *(u64 *)(r2 + 0);"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* fp-8 holds -8 before the call, -16 after a failed tail call: both in bounds. */
SEC("tc") NAKED int offset_valid_either_way(void)
{
	asm volatile(
		"r6 = r1;"
		"r1 = -8;"
		"*(u64 *)(r10 - 8) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r6;"
		"r2 = r10;"
		"r2 += -8;"
		"call store_after_tail_call;"
		"r1 = *(u64 *)(r10 - 8);"
		"r2 = r10;"
		"r2 += r1;"
		"r0 = *(u64 *)(r2 + 0);"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* Reads 4 bytes 400 bytes into what it is given: refused when verified with an int. */
__attribute__((noinline)) int far_read(const int *values)
{
	if (!values)
		return 0;
	return values[100];
}

const volatile int call_far_read = 0;

/* The call lies behind a frozen 0: no path calls far_read, so it is never verified. */
SEC("tc") int global_behind_constant(struct __sk_buff *ctx)
{
	if (call_far_read)
		return far_read(0);
	return 0;
}

/* Called with a stack int: verified, refused. */
SEC("tc") int global_called(struct __sk_buff *ctx)
{
	int value = ctx->len;
	return far_read(&value);
}

char _license[] SEC("license") = "GPL";
