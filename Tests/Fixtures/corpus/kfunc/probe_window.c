/* A member read through the kernel skb pointer again after something changed the skb: a
 * register store to the context, a helper, an immediate store to the context. Each second read
 * must see the change (the JIT reads loads through the pointer inline while nothing can have
 * changed what they read). The words go into the packet after the Ethernet header. */
#include "kfuncs.h"

struct sk_buff {
	unsigned int len;
	__u32 priority;
	__u32 hash;
	__u32 mark;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

SEC("tc")
int reread(struct __sk_buff *skb)
{
	__u32 w[9] = {};
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	w[0] = k->mark;
	w[1] = k->priority;
	skb->mark = skb->len + 1;
	w[2] = k->mark;
	w[3] = k->len;
	bpf_set_hash(skb, 0xabc0 + skb->len);
	w[4] = k->hash;
	w[5] = k->priority;
	/* An immediate store (BPF_ST), which takes the guarded way. */
	asm volatile("*(u32 *)(%[ctx] + %[off]) = 77" : : [ctx] "r"(skb), [off] "i"(__builtin_offsetof(struct __sk_buff, mark)) : "memory");
	w[6] = k->mark;
	w[7] = k->len;
	skb->priority = skb->len * 3;
	w[8] = k->priority;
	return bpf_skb_store_bytes(skb, ETH_HLEN, w, sizeof(w), 0);
}

char _license[] SEC("license") = "GPL";
