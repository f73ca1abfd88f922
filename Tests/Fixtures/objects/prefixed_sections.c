/* Section names that loaders matching by prefix accept (cilium/ebpf, aya) and libbpf does not:
 * libbpf leaves these programs without a type, so the loader refuses them and says why. */
#include "tcx_bpf.h"

SEC("classifier/stats")
int counted(struct __sk_buff *skb)
{
	return skb->len > 0;
}

SEC("tc_packet_hook0")
int hooked(struct __sk_buff *skb)
{
	return 0;
}

SEC("tc")
int plain(struct __sk_buff *skb)
{
	return 0;
}

LICENSE("GPL");
