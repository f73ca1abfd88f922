/* Objects with a struct bpf_refcount: bpf_refcount_acquire_impl gives a second owning reference,
 * so a program may queue an object and keep using it; each reference is dropped on its own. */
#include "objects.h"

struct bpf_list_head { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 opaque[1]; } __attribute__((aligned(4)));

#define __contains(type, member) __attribute__((btf_decl_tag("contains:" #type ":" #member)))

extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr__ign, void *meta__ign) __ksym;

struct shared_item {
	__u32 length;
	struct bpf_refcount ref;
	struct bpf_list_node node;
};

struct plain_item {
	__u32 length;
};

struct shared_queue {
	struct bpf_spin_lock lock;
	struct bpf_list_head items __contains(shared_item, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct shared_queue);
	__uint(max_entries, 1);
} shared_queues SEC(".maps");

static struct shared_queue *queue(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&shared_queues, &key);
}

/* Queues the packet's length and, through the second reference, reads it back plus 1000. */
SEC("tc")
int queue_and_keep(struct __sk_buff *skb)
{
	struct shared_queue *q = queue();
	struct shared_item *it, *kept;
	int ret;

	if (!q)
		return 1;
	it = new_object(struct shared_item);
	if (!it)
		return 2;
	it->length = skb->len;
	kept = bpf_refcount_acquire_impl(it, 0);
	bpf_spin_lock(&q->lock);
	bpf_list_push_back_impl(&q->items, &it->node, 0, __builtin_offsetof(struct shared_item, node));
	bpf_spin_unlock(&q->lock);
	if (!kept)
		return 3;
	kept->length += 1000;
	ret = kept->length;
	drop_object(kept);
	return ret;
}

SEC("tc")
int take(struct __sk_buff *skb)
{
	struct shared_queue *q = queue();
	struct bpf_list_node *n;
	struct shared_item *it;
	int ret;

	if (!q)
		return 1;
	bpf_spin_lock(&q->lock);
	n = bpf_list_pop_front(&q->items);
	bpf_spin_unlock(&q->lock);
	if (!n)
		return 7;
	it = container_of(n, struct shared_item, node);
	ret = it->length;
	drop_object(it);
	return ret;
}

SEC("tc")
int acquire_plain(struct __sk_buff *skb)
{
	struct plain_item *p = new_object(struct plain_item);
	struct plain_item *q;

	if (!p)
		return 2;
	q = bpf_refcount_acquire_impl(p, 0);
	drop_object(p);
	if (q)
		drop_object(q);
	return 0;
}

SEC("tc")
int second_leaked(struct __sk_buff *skb)
{
	struct shared_item *it = new_object(struct shared_item);
	struct shared_item *kept;

	if (!it)
		return 2;
	kept = bpf_refcount_acquire_impl(it, 0);
	drop_object(it);
	return kept ? 1 : 0;
}
