/* Code behind a branch on a `const volatile` global (frozen .rodata, read by the verifier as a
 * constant) holds a CO-RE access to a struct no kernel has: libbpf poisons it, and the kernel
 * loads the program because it never reaches that code. The same guard on a writable global
 * (.bss, .data) is an unknown value, so the poisoned access is reached and refused. */
#include "skb_helpers.h"

struct absent_from_every_kernel {
	int field;
} __attribute__((preserve_access_index));

const volatile int disabled;
const volatile int settings[4] = { 7, 0, 9, 0 };
volatile int writable_zero;
volatile int writable_one = 1;

static __always_inline int absent(struct __sk_buff *skb)
{
	return ((struct absent_from_every_kernel *)skb)->field;
}

SEC("tc") int guard_rodata_zero(struct __sk_buff *skb)
{
	int v = skb->len;
	if (disabled)
		v += absent(skb);
	return v & 15;
}

/* A constant at an offset into .rodata: settings[1] and settings[3] are 0. */
SEC("tc") int guard_rodata_index(struct __sk_buff *skb)
{
	int v = settings[0] + settings[2];
	if (settings[1] || settings[3])
		v += absent(skb);
	return v + (skb->len & 1);
}

/* settings[2] is 9: the guarded code runs, so the poison is reached. */
SEC("tc") int guard_rodata_taken(struct __sk_buff *skb)
{
	int v = skb->len;
	if (settings[2] == 9)
		v += absent(skb);
	return v & 15;
}

SEC("tc") int guard_bss(struct __sk_buff *skb)
{
	int v = skb->len;
	if (writable_zero)
		v += absent(skb);
	return v & 15;
}

SEC("tc") int guard_data(struct __sk_buff *skb)
{
	int v = skb->len;
	if (!writable_one)
		v += absent(skb);
	return v & 15;
}

char LICENSE[] SEC("license") = "GPL";
