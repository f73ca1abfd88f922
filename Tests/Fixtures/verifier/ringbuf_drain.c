/* bpf_user_ringbuf_drain(map, callback, ctx, flags) runs its callback during the call, as
 * bpf_loop does; the kernel follows the callback on the caller's path (its ctx is the caller's
 * stack pointer with what the caller wrote there, and what the callback writes through it is
 * the caller's on return). Each program here has the callback use its ctx or its return value
 * in one way the kernel checks. Load verdicts only. Written for swift-tcx; the kernel's verdicts
 * are recorded in ringbuf_drain.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} requests SEC(".maps");

static long (*drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *)209;

/* Reads nothing, takes every sample. */
static long take_all(struct bpf_dynptr *sample, void *ctx)
{
	return 0;
}

SEC("tc") int drain_plain(struct __sk_buff *skb)
{
	return drain(&requests, take_all, 0, 0) > 0;
}

/* Returns 2: a drain's callback returns 0 or 1 (EINVAL). */
static long return_two(struct bpf_dynptr *sample, void *ctx)
{
	return 2;
}

SEC("tc") int drain_returns_two(struct __sk_buff *skb)
{
	return drain(&requests, return_two, 0, 0) > 0;
}

/* Writes 8 bytes through a ctx that points at 4 (the caller's top 4 bytes of stack): past the
 * frame's top. */
static long write_eight(struct bpf_dynptr *sample, void *ctx)
{
	*(volatile __u64 *)ctx = 1;
	return 0;
}

SEC("tc") __attribute__((naked)) int drain_ctx_overrun(void)
{
	asm volatile (
		"r1 = 0; *(u32 *)(r10 - 4) = r1; "
		"r1 = %[requests] ll; r2 = %[cb] ll; r3 = r10; r3 += -4; r4 = 0; call 209; "
		"r0 = 0; exit;"
		:: [requests] "i"(&requests), [cb] "i"(write_eight) : "memory");
}

/* Writes 8 bytes through a ctx that points at 8: within the caller's frame. */
SEC("tc") __attribute__((naked)) int drain_ctx_fits(void)
{
	asm volatile (
		"r1 = 0; *(u64 *)(r10 - 8) = r1; "
		"r1 = %[requests] ll; r2 = %[cb] ll; r3 = r10; r3 += -8; r4 = 0; call 209; "
		"r0 = 0; exit;"
		:: [requests] "i"(&requests), [cb] "i"(write_eight) : "memory");
}

/* Stores 3 through ctx: the caller then indexes 8 bytes of its stack with it (within). */
static long store_three(struct bpf_dynptr *sample, __u64 *ctx)
{
	*ctx = 3;
	return 0;
}

SEC("tc") __attribute__((naked)) int drain_ctx_index(void)
{
	asm volatile (
		"r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; "
		"r1 = %[requests] ll; r2 = %[cb] ll; r3 = r10; r3 += -8; r4 = 0; call 209; "
		"r1 = *(u64 *)(r10 - 8); r2 = r10; r2 += -16; r2 += r1; r0 = *(u8 *)(r2 + 0); r0 = 0; exit;"
		:: [requests] "i"(&requests), [cb] "i"(store_three) : "memory");
}

/* Stores 30 the same way: the caller's index then leaves its 8 bytes, past the frame's top. */
static long store_thirty(struct bpf_dynptr *sample, __u64 *ctx)
{
	*ctx = 30;
	return 0;
}

SEC("tc") __attribute__((naked)) int drain_ctx_index_out(void)
{
	asm volatile (
		"r1 = 0; *(u64 *)(r10 - 8) = r1; *(u64 *)(r10 - 16) = r1; "
		"r1 = %[requests] ll; r2 = %[cb] ll; r3 = r10; r3 += -8; r4 = 0; call 209; "
		"r1 = *(u64 *)(r10 - 8); r2 = r10; r2 += -16; r2 += r1; r0 = *(u8 *)(r2 + 0); r0 = 0; exit;"
		:: [requests] "i"(&requests), [cb] "i"(store_thirty) : "memory");
}

char _license[] SEC("license") = "GPL";
