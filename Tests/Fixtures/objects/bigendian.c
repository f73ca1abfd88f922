/* Built for big-endian BPF: the loader must refuse it. */
#include "tcx_bpf.h"

SEC("tc")
int be_prog(struct __sk_buff *skb)
{
	return 0;
}

LICENSE("GPL");
