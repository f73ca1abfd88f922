/* Kernel sk_buff members read through BTF pointers at offsets where struct __sk_buff keeps a
 * packet pointer: in the kernel's layout `priority` sits where `__sk_buff.data_meta` does. Such
 * a read is the member's probe load, whatever the context keeps at that offset: the skb's
 * priority through the cast, the context's own through bpf_rdonly_cast of the context, and 0
 * through an address nothing is mapped at. The words go into the packet after the Ethernet
 * header; the return value is the unmapped read plus one. */
#include "kfuncs.h"
#include <bpf/bpf_core_read.h>

struct sk_buff {
	unsigned int len;
	__u32 priority;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

SEC("tc")
int probe_offsets(struct __sk_buff *skb)
{
	__u32 w[4] = {};
	struct sk_buff *k, *again, *nowhere;

	skb->priority = 0x55;
	k = bpf_cast_to_kern_ctx(skb);
	again = bpf_rdonly_cast(skb, bpf_core_type_id_kernel(struct sk_buff));
	nowhere = bpf_rdonly_cast((void *)0x10, bpf_core_type_id_kernel(struct sk_buff));
	w[0] = k->priority;
	w[1] = again->priority;
	w[2] = nowhere->priority;
	w[3] = k->len;
	if (bpf_skb_store_bytes(skb, ETH_HLEN, w, sizeof(w), 0))
		return 1;
	return nowhere->priority + 2;
}

char _license[] SEC("license") = "GPL";
