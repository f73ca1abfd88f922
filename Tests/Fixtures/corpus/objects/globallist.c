/* A list of objects whose root is a global variable (a custom .bss section holds the lock and
 * the head, as libbpf's private() sections do), pushed with the `off` argument left 0 as
 * libbpf's bpf_list_push_back() macro leaves it: the kernel's verifier writes the node's offset
 * into that argument itself, so the node need not be the object's first member. */
#include "objects.h"

struct bpf_list_head { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));

#define __contains(type, member) __attribute__((btf_decl_tag("contains:" #type ":" #member)))

extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;

struct reading {
	__u64 length;
	__u64 protocol;
	struct bpf_list_node link;
};

SEC(".bss.readings") struct bpf_spin_lock readings_lock;
SEC(".bss.readings") struct bpf_list_head readings __contains(reading, link);

/* Queues this packet's length and protocol. */
SEC("tc")
int queue_reading(struct __sk_buff *skb)
{
	struct reading *r = new_object(struct reading);

	if (!r)
		return 1;
	r->length = skb->len;
	r->protocol = bpf_ntohs(skb->protocol);
	bpf_spin_lock(&readings_lock);
	bpf_list_push_back_impl(&readings, &r->link, 0, 0);
	bpf_spin_unlock(&readings_lock);
	return 0;
}

/* Takes the oldest reading: its protocol * 1000 + length, or 7 when the list is empty. */
SEC("tc")
int take_reading(struct __sk_buff *skb)
{
	struct bpf_list_node *n;
	struct reading *r;
	int ret;

	bpf_spin_lock(&readings_lock);
	n = bpf_list_pop_front(&readings);
	bpf_spin_unlock(&readings_lock);
	if (!n)
		return 7;
	r = container_of(n, struct reading, link);
	ret = r->protocol * 1000 + r->length;
	drop_object(r);
	return ret;
}
