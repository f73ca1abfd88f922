/* Helper calls whose argument registers are set, or not. The kernel reads every argument its
 * prototype declares (R4 !read_ok when one was never written), and none past them: a variadic
 * tail (trace_printk's) or an argument the UAPI documents and the prototype leaves out is not read. Written in assembly so the compiler cannot fill a register in. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	__u64 *value;
} numbers SEC(".maps");

struct {
	int (*type)[BPF_MAP_TYPE_PROG_ARRAY];
	int (*max_entries)[2];
	__u32 *key;
	__u32 *value;
} jumps SEC(".maps");

/* skb_load_bytes(skb, 0, fp-8) without its length in r4. */
SEC("tc") __attribute__((naked)) int load_bytes_no_length(void)
{
	asm volatile(
		"r2 = 0;"
		"r3 = r10;"
		"r3 += -8;"
		"call 26;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* The same call with all four arguments. */
SEC("tc") __attribute__((naked)) int load_bytes_all_arguments(void)
{
	asm volatile(
		"r2 = 0;"
		"r3 = r10;"
		"r3 += -8;"
		"r4 = 4;"
		"call 26;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* map_lookup_elem with the map and no key. */
SEC("tc") __attribute__((naked)) int lookup_without_key(void)
{
	asm volatile(
		"r1 = %[numbers] ll;"
		"call 1;"
		"r0 = 0;"
		"exit;" :: [numbers]"i"(&numbers) : "memory");
}

/* A second tail call after the first clobbered r1-r5, its context not set again. */
SEC("tc") __attribute__((naked)) int tail_call_twice_stale_context(void)
{
	asm volatile(
		"r6 = r1;"
		"r2 = %[jumps] ll;"
		"r3 = 0;"
		"call 12;"
		"r2 = %[jumps] ll;"
		"r3 = 1;"
		"call 12;"
		"r0 = 0;"
		"exit;" :: [jumps]"i"(&jumps) : "memory");
}

/* The same, r1 given the context again. */
SEC("tc") __attribute__((naked)) int tail_call_twice(void)
{
	asm volatile(
		"r6 = r1;"
		"r2 = %[jumps] ll;"
		"r3 = 0;"
		"call 12;"
		"r1 = r6;"
		"r2 = %[jumps] ll;"
		"r3 = 1;"
		"call 12;"
		"r0 = 0;"
		"exit;" :: [jumps]"i"(&jumps) : "memory");
}

/* trace_printk(fmt, 4) with r3-r5 never written: the variadic tail is not read. */
SEC("tc") __attribute__((naked)) int printk_without_values(void)
{
	asm volatile(
		"r1 = 0x0a7868;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 4;"
		"call 6;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* get_prandom_u32 takes nothing: no register is read. */
SEC("tc") __attribute__((naked)) int no_arguments(void)
{
	asm volatile(
		"call 7;"
		"exit;" ::: "memory");
}

/* ktime_get_ns in a branch where r2 was set on one way only, then csum_diff reading r1-r5. */
SEC("tc") __attribute__((naked)) int argument_set_on_one_way(void)
{
	asm volatile(
		"r1 = *(u32 *)(r1 + 0);"
		"if r1 > 10 goto 1f;"
		"r2 = 0;"
		"1:"
		"r1 = 0;"
		"r3 = 0;"
		"r4 = 0;"
		"r5 = 0;"
		"call 28;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* get_branch_snapshot(buf, size): its flags are documented but not in the kernel's prototype,
 * so r3 is never read. */
SEC("tc") __attribute__((naked)) int snapshot_without_flags(void)
{
	asm volatile(
		"r1 = r10;"
		"r1 += -16;"
		"r2 = 16;"
		"call 176;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
