/* Linux 6.13-6.18 instruction rules measured against the 6.18 selftests (issue 12): load-acquire
 * and store-release on the memory they may use, may_goto with offset 0, and a register compared
 * with itself. Written for swift-tcx; the kernel's verdicts are recorded in acquire_release.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

/* One raw instruction, for encodings the assembler lacks: code, dst, src, off, imm. */
#define INSN(code, dst, src, off, imm) \
	((unsigned long long)(code) | (unsigned long long)((dst) | (src) << 4) << 8 | \
	 (unsigned long long)(unsigned short)(off) << 16 | (unsigned long long)(unsigned int)(imm) << 32)
#define ATOMIC_DW 0xdb
#define ATOMIC_W 0xc3
#define LOAD_ACQUIRE 0x100
#define STORE_RELEASE 0x110
#define MAY_GOTO 0xe5
#define RAW(name, value) [name] "i"(value)
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long long);
} cells SEC(".maps");

/* r2 = load_acquire((u64 *)(r10 - 8)) after a plain store there. */
SEC("tc") NAKED int acquire_from_stack(void)
{
	asm volatile("r1 = 7; *(u64 *)(r10 - 8) = r1; .8byte %[la]; r0 = r2; r0 &= 1; exit;"
		     :: RAW(la, INSN(ATOMIC_DW, 2, 10, -8, LOAD_ACQUIRE)) : "memory");
}

/* w0 = load_acquire((u32 *)(r1 + 0)): the context is read field by field, never atomically. */
SEC("tc") NAKED int acquire_from_context(void)
{
	asm volatile(".8byte %[la]; r0 = 0; exit;" :: RAW(la, INSN(ATOMIC_W, 0, 1, 0, LOAD_ACQUIRE)) : "memory");
}

/* w0 = load_acquire((u32 *)(data + 0)) with eight bytes proven: the packet is refused all the same. */
SEC("tc") NAKED int acquire_from_packet(void)
{
	asm volatile("r2 = *(u32 *)(r1 + 76); r3 = *(u32 *)(r1 + 80); r4 = r2; r4 += 8;"
		     "if r4 > r3 goto 1f; .8byte %[la]; 1: r0 = 0; exit;"
		     :: RAW(la, INSN(ATOMIC_W, 0, 2, 0, LOAD_ACQUIRE)) : "memory");
}

/* r1 = load_acquire((u64 *)(value + 0)) from an array element. */
SEC("tc") NAKED int acquire_from_map_value(void)
{
	asm volatile("r1 = 0; *(u64 *)(r10 - 8) = r1; r2 = r10; r2 += -8; r1 = %[cells] ll;"
		     "call 1; if r0 == 0 goto 1f; .8byte %[la]; r0 = r1; r0 &= 1; 1: exit;"
		     :: [cells] "i"(&cells), RAW(la, INSN(ATOMIC_DW, 1, 0, 0, LOAD_ACQUIRE)) : "memory");
}

/* store_release((u64 *)(r10 - 8), r1) spills the context pointer whole: it fills back as one. */
SEC("tc") NAKED int release_pointer_whole(void)
{
	asm volatile(".8byte %[sr]; r2 = *(u64 *)(r10 - 8); r0 = *(u32 *)(r2 + 0); r0 &= 1; exit;"
		     :: RAW(sr, INSN(ATOMIC_DW, 10, 1, -8, STORE_RELEASE)) : "memory");
}

/* store_release((u32 *)(r10 - 8), w1) of the context pointer: half a pointer is no spill. */
SEC("tc") NAKED int release_pointer_half(void)
{
	asm volatile(".8byte %[sr]; r0 = 0; exit;" :: RAW(sr, INSN(ATOMIC_W, 10, 1, -8, STORE_RELEASE)) : "memory");
}

/* store_release((u32 *)(r10 - 8), w1) of a number: fine at any size. */
SEC("tc") NAKED int release_number_half(void)
{
	asm volatile("w1 = 3; .8byte %[sr]; r0 = *(u32 *)(r10 - 8); exit;"
		     :: RAW(sr, INSN(ATOMIC_W, 10, 1, -8, STORE_RELEASE)) : "memory");
}

/* may_goto +0 twice around an instruction: both ways go on to the next one. */
SEC("tc") NAKED int may_goto_zero(void)
{
	asm volatile(".8byte %[mg]; r0 = 1; .8byte %[mg]; exit;" :: RAW(mg, INSN(MAY_GOTO, 0, 0, 0, 0)) : "memory");
}

/* may_goto +0 inside a loop bounded by its counter. */
SEC("tc") NAKED int may_goto_zero_in_loop(void)
{
	asm volatile("r0 = 0; 1: .8byte %[mg]; r0 += 1; if r0 < 4 goto 1b; exit;"
		     :: RAW(mg, INSN(MAY_GOTO, 0, 0, 0, 0)) : "memory");
}

/* may_goto names no register: one with dst set is malformed. */
SEC("tc") NAKED int may_goto_with_register(void)
{
	asm volatile(".8byte %[mg]; r0 = 0; exit;" :: RAW(mg, INSN(MAY_GOTO, 1, 0, 1, 0)) : "memory");
}

/* r0 is 0 or 0x80000000; the ways of r0 > r0 leave bounds no value meets, which 6.18 resets
 * rather than calling the way dead. */
SEC("tc") NAKED int same_register_masked(void)
{
	asm volatile("call 7; w8 = 0x80000000; r0 &= r8; if r0 > r0 goto 1f; r0 = 0; exit; 1: r0 = 1; exit;"
		     ::: "memory");
}

/* r0 is 0 or 1: r0 s> r0 is never true, yet 6.18 follows the way (and meets r10 = 0 there). */
SEC("tc") NAKED int same_register_followed(void)
{
	asm volatile("call 7; r0 &= 1; if r0 s> r0 goto 1f; r0 = 0; exit; 1: r10 = 0; exit;" ::: "memory");
}

/* After the reset r0 keeps its known bits: r0 < 2 holds, and r10 = 0 is never reached. */
SEC("tc") NAKED int same_register_keeps_bits(void)
{
	asm volatile("call 7; r0 &= 1; if r0 > r0 goto 1f; r0 = 0; exit; 1: if r0 < 2 goto 2f; r10 = 0; 2: r0 = 0; exit;"
		     ::: "memory");
}

/* r0 in [0, 7]: r0 > r0 narrows it to [1, 6] on the taken way. */
SEC("tc") NAKED int same_register_narrows(void)
{
	asm volatile("call 7; r0 &= 7; if r0 > r0 goto 1f; r0 = 0; exit;"
		     "1: if r0 < 7 goto 2f; r10 = 0; 2: if r0 > 0 goto 3f; r10 = 0; 3: r0 = 0; exit;" ::: "memory");
}

/* w0 & w0 with bit 4 set: 6.18 still follows the fall-through way. */
SEC("tc") NAKED int same_register_jset(void)
{
	asm volatile("call 7; w0 |= 0x10; if w0 & w0 goto 1f; r10 = 0; 1: r0 = 0; exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
