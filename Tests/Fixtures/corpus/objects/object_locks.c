/* Objects that hold their own bpf_spin_lock and list head: a bag the program allocates, with
 * items queued on it under the bag's own lock. The refused programs touch the lock or head
 * directly, lock at the wrong offset, or use one bag's head under another bag's lock. */
#include "objects.h"

struct bpf_list_head { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));

#define __contains(type, member) __attribute__((btf_decl_tag("contains:" #type ":" #member)))
#define owner_of(ptr, type, member) ((type *)((void *)(ptr) - __builtin_offsetof(type, member)))

extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;

struct item {
	__u32 length;
	struct bpf_list_node node;
};

struct bag {
	__u64 count;
	struct bpf_spin_lock lock;
	struct bpf_list_head items __contains(item, node);
};

static int queue_item(struct bag *b, __u32 length)
{
	struct item *it = new_object(struct item);

	if (!it)
		return 1;
	it->length = length;
	bpf_spin_lock(&b->lock);
	bpf_list_push_back_impl(&b->items, &it->node, 0, __builtin_offsetof(struct item, node));
	b->count++;
	bpf_spin_unlock(&b->lock);
	return 0;
}

/* Two items in a fresh bag: the first popped is returned (its length, the packet's), the
 * second goes with the bag when it is dropped. */
SEC("tc")
int bag_roundtrip(struct __sk_buff *skb)
{
	struct bpf_list_node *n;
	struct bag *b = new_object(struct bag);
	__u32 got = 0;

	if (!b)
		return 1;
	b->count = 0;	/* the kernel zeroes only an object's special fields */
	if (queue_item(b, skb->len) || queue_item(b, 9)) {
		drop_object(b);
		return 2;
	}
	bpf_spin_lock(&b->lock);
	n = bpf_list_pop_front(&b->items);
	bpf_spin_unlock(&b->lock);
	if (n) {
		struct item *it = owner_of(n, struct item, node);

		got = it->length;
		drop_object(it);
	}
	got += b->count * 1000;
	drop_object(b);
	return got;
}

SEC("tc")
int read_lock(struct __sk_buff *skb)
{
	struct bag *b = new_object(struct bag);
	int v;

	if (!b)
		return 1;
	v = *(volatile int *)&b->lock;
	drop_object(b);
	return v;
}

SEC("tc")
int write_head(struct __sk_buff *skb)
{
	struct bag *b = new_object(struct bag);

	if (!b)
		return 1;
	*(volatile __u64 *)&b->items = 0;
	drop_object(b);
	return 0;
}

SEC("tc")
int lock_wrong_offset(struct __sk_buff *skb)
{
	struct bag *b = new_object(struct bag);

	if (!b)
		return 1;
	bpf_spin_lock((struct bpf_spin_lock *)&b->items);
	bpf_spin_unlock((struct bpf_spin_lock *)&b->items);
	drop_object(b);
	return 0;
}

SEC("tc")
int other_bags_lock(struct __sk_buff *skb)
{
	struct bag *a = new_object(struct bag);
	struct bag *b;
	struct item *it;

	if (!a)
		return 1;
	b = new_object(struct bag);
	if (!b) {
		drop_object(a);
		return 1;
	}
	it = new_object(struct item);
	if (!it) {
		drop_object(a);
		drop_object(b);
		return 1;
	}
	bpf_spin_lock(&a->lock);
	bpf_list_push_back_impl(&b->items, &it->node, 0, __builtin_offsetof(struct item, node));
	bpf_spin_unlock(&a->lock);
	drop_object(a);
	drop_object(b);
	return 0;
}

SEC("tc")
int push_unlocked(struct __sk_buff *skb)
{
	struct bag *b = new_object(struct bag);
	struct item *it;

	if (!b)
		return 1;
	it = new_object(struct item);
	if (!it) {
		drop_object(b);
		return 1;
	}
	bpf_list_push_back_impl(&b->items, &it->node, 0, __builtin_offsetof(struct item, node));
	drop_object(b);
	return 0;
}
