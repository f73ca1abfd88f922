/* String literals land in .rodata.str1.1, a mergeable-strings section that libbpf maps too. */
#include "tcx_bpf.h"

SEC("tc")
int say(struct __sk_buff *skb)
{
	trace_printk("len %u\n", sizeof("len %u\n"), skb->len);
	trace_printk("mark %u\n", sizeof("mark %u\n"), skb->mark);
	return 0;
}

LICENSE("GPL");
