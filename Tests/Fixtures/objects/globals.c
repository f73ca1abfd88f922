/* Global data: .data, .rodata, .bss, custom .data.* / .rodata.* sections, and statics. */
#include "tcx_bpf.h"

__u32 hits = 7;                              /* .data */
__u64 seen;                                  /* .bss */
const volatile __u32 threshold = 100;        /* .rodata */
const volatile __u8 table[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static __u32 local_counter = 3;              /* .data, through the section symbol */
static __u64 local_zero;                     /* .bss, through the section symbol */
__u32 custom_val SEC(".data.custom") = 0x11223344;
const volatile __u32 custom_ro SEC(".rodata.custom") = 0x55;

SEC("classifier")
int read_globals(struct __sk_buff *skb)
{
	hits++;
	seen += skb->len;
	local_counter += 2;
	local_zero ^= skb->mark;
	custom_val += custom_ro;
	if (skb->len > threshold)
		return table[skb->mark & 7];
	return local_counter + (__u32)local_zero;
}

LICENSE("GPL");
