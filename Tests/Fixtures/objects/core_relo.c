/* Reads a field through CO-RE: the loader must refuse the .BTF.ext relocation. */
#include "tcx_bpf.h"

struct sk_buff_view {
	__u32 len;
	__u32 mark;
} __attribute__((preserve_access_index));

SEC("tc")
int uses_core(struct sk_buff_view *skb)
{
	return skb->mark;
}

LICENSE("GPL");
