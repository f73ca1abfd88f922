/* Where a dynptr may lie, and what a slice's buffer may cover (issue 12): a dynptr's 16 bytes
 * start at an 8-byte boundary below the frame's top (the kernel refuses "cannot pass in dynptr
 * at an offset=-20" wherever it would be made or read); bpf_dynptr_slice's buffer and size are
 * memory the kfunc reads, inside the frame and over no dynptr. Instruction sequences written for
 * swift-tcx; the kernel's verdicts are recorded in dynptr_places.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define NAKED __attribute__((naked))

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr) __attribute__((section(".ksyms")));
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) __attribute__((section(".ksyms")));

/* Calls the kfuncs once so that the object's BTF declares them (the sequences below name them
 * in assembly only); in .text, never loaded on its own. */
void declare_kfuncs(void)
{
	bpf_dynptr_from_skb(0, 0, 0);
	bpf_dynptr_slice(0, 0, 0, 0);
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

/* A record's dynptr made at fp+OFF (bpf_ringbuf_reserve_dynptr, 198), then discarded (200). */
#define RESERVE_AND_DISCARD(off)						\
	asm volatile ("r1 = %[records] ll; r2 = 16; r3 = 0; r4 = r10; r4 += " #off ";"	\
		      "call 198;"						\
		      "r1 = r10; r1 += " #off "; r2 = 0; call 200;"		\
		      "r0 = 0; exit;"						\
		      :: [records]"i"(&records) : "memory")

SEC("tc") NAKED int record_at_16(void) { RESERVE_AND_DISCARD(-16); }
SEC("tc") NAKED int record_at_8(void) { RESERVE_AND_DISCARD(-8); }
SEC("tc") NAKED int record_at_20(void) { RESERVE_AND_DISCARD(-20); }
SEC("tc") NAKED int record_at_top(void) { RESERVE_AND_DISCARD(0); }
SEC("tc") NAKED int record_at_bottom(void) { RESERVE_AND_DISCARD(-512); }

/* The packet's dynptr at fp+DYN, then a slice of SIZE bytes with its buffer at fp+BUF. */
#define SLICE_INTO(dyn, buf, size)						\
	asm volatile ("r6 = r1; r2 = 0; *(u64 *)(r10 - 48) = r2; *(u64 *)(r10 - 40) = r2;"	\
		      "*(u64 *)(r10 - 8) = r2;"					\
		      "r1 = r6; r2 = 0; r3 = r10; r3 += " #dyn "; call %[from_skb];"	\
		      "r1 = r10; r1 += " #dyn "; r2 = 0; r3 = r10; r3 += " #buf ";"	\
		      "r4 = " #size "; call %[slice];"				\
		      "r0 = 0; exit;"						\
		      :: [from_skb]"i"(bpf_dynptr_from_skb), [slice]"i"(bpf_dynptr_slice) : "memory")

/* 16 bytes of its own below the dynptr. */
SEC("tc") NAKED int slice_buffer_apart(void) { SLICE_INTO(-16, -48, 16); }
/* 9 bytes from fp-24: the last one is the dynptr's. */
SEC("tc") NAKED int slice_buffer_into_dynptr(void) { SLICE_INTO(-32, -40, 9); }
/* The buffer is the dynptr itself. */
SEC("tc") NAKED int slice_buffer_is_dynptr(void) { SLICE_INTO(-32, -32, 16); }
/* 16 bytes from fp-8 run past the frame's top. */
SEC("tc") NAKED int slice_buffer_past_top(void) { SLICE_INTO(-32, -8, 16); }

char LICENSE[] SEC("license") = "GPL";
