/* A queue of objects in a map value: a bpf_list_head guarded by the bpf_spin_lock beside it,
 * kept between runs. The refused programs break the lock and ownership rules. */
#include "objects.h"

struct bpf_list_head { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));

#define __contains(type, member) __attribute__((btf_decl_tag("contains:" #type ":" #member)))

extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;

struct item {
	__u32 length;
	struct bpf_list_node node;
};

struct queue {
	struct bpf_spin_lock lock;
	struct bpf_list_head items __contains(item, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct queue);
	__uint(max_entries, 1);
} queues SEC(".maps");

static struct queue *queue(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&queues, &key);
}

SEC("tc")
int enqueue(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct item *it;

	if (!q)
		return 1;
	it = new_object(struct item);
	if (!it)
		return 2;
	it->length = skb->len;
	bpf_spin_lock(&q->lock);
	bpf_list_push_back_impl(&q->items, &it->node, 0, __builtin_offsetof(struct item, node));
	bpf_spin_unlock(&q->lock);
	return 0;
}

SEC("tc")
int dequeue(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct bpf_list_node *n;
	struct item *it;
	int ret;

	if (!q)
		return 1;
	bpf_spin_lock(&q->lock);
	n = bpf_list_pop_front(&q->items);
	bpf_spin_unlock(&q->lock);
	if (!n)
		return 7;
	it = container_of(n, struct item, node);
	ret = it->length;
	bpf_obj_drop_impl(it, 0);
	return ret;
}

SEC("tc")
int push_unlocked(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct item *it;

	if (!q)
		return 1;
	it = new_object(struct item);
	if (!it)
		return 2;
	bpf_list_push_back_impl(&q->items, &it->node, 0, __builtin_offsetof(struct item, node));
	return 0;
}

SEC("tc")
int popped_leaked(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct bpf_list_node *n;

	if (!q)
		return 1;
	bpf_spin_lock(&q->lock);
	n = bpf_list_pop_front(&q->items);
	bpf_spin_unlock(&q->lock);
	return n ? 3 : 7;
}

SEC("tc")
int use_after_unlock(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct item *it;

	if (!q)
		return 1;
	it = new_object(struct item);
	if (!it)
		return 2;
	bpf_spin_lock(&q->lock);
	bpf_list_push_back_impl(&q->items, &it->node, 0, __builtin_offsetof(struct item, node));
	it->length = 5;
	bpf_spin_unlock(&q->lock);
	return it->length;
}

extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym;

/* Reads the first and last lengths without taking them off: first * 1000 + last, 7 when empty. */
SEC("tc")
int peek_ends(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct bpf_list_node *first, *last;
	int ret = 7;

	if (!q)
		return 1;
	bpf_spin_lock(&q->lock);
	first = bpf_list_front(&q->items);
	last = bpf_list_back(&q->items);
	if (first && last)
		ret = container_of(first, struct item, node)->length * 1000 + container_of(last, struct item, node)->length;
	bpf_spin_unlock(&q->lock);
	return ret;
}

SEC("tc")
int peek_after_unlock(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct bpf_list_node *first;

	if (!q)
		return 1;
	bpf_spin_lock(&q->lock);
	first = bpf_list_front(&q->items);
	bpf_spin_unlock(&q->lock);
	if (!first)
		return 7;
	return container_of(first, struct item, node)->length;
}

SEC("tc")
int drop_peeked(struct __sk_buff *skb)
{
	struct queue *q = queue();
	struct bpf_list_node *first;

	if (!q)
		return 1;
	bpf_spin_lock(&q->lock);
	first = bpf_list_front(&q->items);
	bpf_spin_unlock(&q->lock);
	if (first)
		bpf_obj_drop_impl(container_of(first, struct item, node), 0);
	return 0;
}
