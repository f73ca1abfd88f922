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

/* Roots in an array variable: one list per element, all under the variable's tag. */
SEC(".bss.shelves") struct bpf_spin_lock shelves_lock;
SEC(".bss.shelves") struct bpf_list_head shelves[2] __contains(reading, link);

/* A root one struct deep, beside its lock. */
struct guarded_list {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(reading, link);
};

struct station {
	__u32 id;
	struct guarded_list queue;
};

SEC(".bss.station") struct station station;

/* Queues the packet's length on shelf 1 and at the station. */
SEC("tc")
int queue_twice(struct __sk_buff *skb)
{
	struct reading *a = new_object(struct reading), *b;

	if (!a)
		return 1;
	b = new_object(struct reading);
	if (!b) {
		drop_object(a);
		return 1;
	}
	a->length = skb->len;
	b->length = skb->len + 1;
	bpf_spin_lock(&shelves_lock);
	bpf_list_push_back_impl(&shelves[1], &a->link, 0, 0);
	bpf_spin_unlock(&shelves_lock);
	bpf_spin_lock(&station.queue.lock);
	bpf_list_push_back_impl(&station.queue.head, &b->link, 0, 0);
	bpf_spin_unlock(&station.queue.lock);
	return 0;
}

/* Takes one reading from shelf 0, shelf 1 and the station: their lengths packed as
 * shelf0 * 1000000 + shelf1 * 1000 + station (0 for an empty list). */
SEC("tc")
int take_all(struct __sk_buff *skb)
{
	struct bpf_list_node *n[3];
	__u64 got[3] = {};
	int i;

	bpf_spin_lock(&shelves_lock);
	n[0] = bpf_list_pop_front(&shelves[0]);
	n[1] = bpf_list_pop_front(&shelves[1]);
	bpf_spin_unlock(&shelves_lock);
	bpf_spin_lock(&station.queue.lock);
	n[2] = bpf_list_pop_front(&station.queue.head);
	bpf_spin_unlock(&station.queue.lock);
	for (i = 0; i < 3; i++) {
		if (n[i]) {
			struct reading *r = container_of(n[i], struct reading, link);

			got[i] = r->length;
			drop_object(r);
		}
	}
	return got[0] * 1000000 + got[1] * 1000 + got[2];
}
