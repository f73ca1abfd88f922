/* Calls a kernel function by BTF id: the loader must refuse the extern. */
#include "tcx_bpf.h"

extern __u64 bpf_ktime_get_coarse_ns_kfunc(void) __attribute__((section(".ksyms"), weak));

SEC("tc")
int uses_kfunc(struct __sk_buff *skb)
{
	return (int)bpf_ktime_get_coarse_ns_kfunc();
}

LICENSE("GPL");
