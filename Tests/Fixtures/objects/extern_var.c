/* Reads an extern variable (a Kconfig value): the loader must refuse it. */
#include "tcx_bpf.h"

extern __u32 CONFIG_HZ __attribute__((section(".kconfig"), weak));

SEC("tc")
int uses_extern(struct __sk_buff *skb)
{
	return CONFIG_HZ;
}

LICENSE("GPL");
