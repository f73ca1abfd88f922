/* The kernel skb image the runtime keeps from one cast to the next and from one run to the next
 * on the same skb (test-run's repeat=): each read through the pointer sees what changed since,
 * whether the program stored it through the context (a new value or the same one), a helper set
 * it, or bpf_skb_store_bytes cleared it with BPF_F_INVALIDATE_HASH; storing packet bytes alone
 * changes none of it. Odd runs clear the hash, even ones leave it for the next run to read.
 * The words go into the packet after the Ethernet header. */
#include "kfuncs.h"

struct sk_buff {
	unsigned int len;
	__u32 hash;
	__u32 mark;
	__u32 priority;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;

SEC("tc")
int image_fresh(struct __sk_buff *skb)
{
	__u32 w[11] = {};
	__u32 tag = 0x2222;
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	/* What the run before left on this skb. */
	w[0] = k->mark;
	w[1] = k->hash;
	w[2] = k->priority;
	skb->mark = w[0] + 1;
	k = bpf_cast_to_kern_ctx(skb);
	w[3] = k->mark;
	bpf_set_hash(skb, 0x5a00 + w[3]);
	w[4] = k->hash;
	/* Packet bytes only: every member stays. */
	if (bpf_skb_store_bytes(skb, ETH_HLEN + 44, &tag, sizeof(tag), 0))
		return 1;
	k = bpf_cast_to_kern_ctx(skb);
	w[5] = k->hash;
	w[6] = k->len;
	if (w[0] & 1) {
		if (bpf_skb_store_bytes(skb, ETH_HLEN + 44, &tag, sizeof(tag), BPF_F_INVALIDATE_HASH))
			return 2;
	}
	w[7] = k->hash;
	k = bpf_cast_to_kern_ctx(skb);
	w[8] = k->hash;
	/* The same mark again, then a new priority. */
	skb->mark = w[3];
	k = bpf_cast_to_kern_ctx(skb);
	w[9] = k->mark;
	skb->priority = w[0] * 16 + 3;
	k = bpf_cast_to_kern_ctx(skb);
	w[10] = k->priority;
	return bpf_skb_store_bytes(skb, ETH_HLEN, w, sizeof(w), 0);
}

char _license[] SEC("license") = "GPL";
