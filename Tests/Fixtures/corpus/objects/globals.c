/* A red-black tree and a list in global variables of one data section (`.bss.trees`), guarded by
 * the bpf_spin_lock beside them, as programs without a map of their own declare them. */
#include "objects.h"

struct bpf_rb_root { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 opaque[4]; } __attribute__((aligned(8)));
struct bpf_list_head { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));

#define __contains(type, member) __attribute__((btf_decl_tag("contains:" #type ":" #member)))
/* One data section of their own: the lock guards what the same section holds. */
#define in_section(name) SEC(".bss." #name) __attribute__((visibility("hidden"), aligned(8)))

extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       _Bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
			       void *meta__ign, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;

struct timed {
	__u32 when;
	struct bpf_rb_node node;
};

struct queued {
	__u32 length;
	struct bpf_list_node link;
};

in_section(trees) struct bpf_spin_lock lock;
in_section(trees) struct bpf_rb_root by_time __contains(timed, node);
in_section(trees) struct bpf_list_head arrivals __contains(queued, link);

/* A second section: its lock does not guard the first's tree. */
in_section(other) struct bpf_spin_lock other_lock;

static _Bool earlier(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct timed, node)->when < container_of(b, struct timed, node)->when;
}

/* Files the packet's length in the tree and on the list. */
SEC("tc")
int file(struct __sk_buff *skb)
{
	struct timed *t = new_object(struct timed);
	struct queued *q;

	if (!t)
		return 1;
	q = new_object(struct queued);
	if (!q) {
		drop_object(t);
		return 2;
	}
	t->when = skb->len;
	q->length = skb->len;
	bpf_spin_lock(&lock);
	bpf_rbtree_add_impl(&by_time, &t->node, earlier, 0, __builtin_offsetof(struct timed, node));
	bpf_list_push_back_impl(&arrivals, &q->link, 0, __builtin_offsetof(struct queued, link));
	bpf_spin_unlock(&lock);
	return 0;
}

/* The earliest in the tree * 1000 + the first to arrive, both taken off; 7 when empty. */
SEC("tc")
int take(struct __sk_buff *skb)
{
	struct bpf_rb_node *n;
	struct bpf_list_node *l;
	int ret = 0;

	bpf_spin_lock(&lock);
	n = bpf_rbtree_first(&by_time);
	if (n)
		n = bpf_rbtree_remove(&by_time, n);
	l = bpf_list_pop_front(&arrivals);
	bpf_spin_unlock(&lock);
	if (n) {
		ret += container_of(n, struct timed, node)->when * 1000;
		drop_object(container_of(n, struct timed, node));
	}
	if (l) {
		ret += container_of(l, struct queued, link)->length;
		drop_object(container_of(l, struct queued, link));
	}
	return ret ? ret : 7;
}

/* Refused: the lock held is another section's. */
SEC("tc")
int wrong_lock(struct __sk_buff *skb)
{
	struct bpf_rb_node *n;

	bpf_spin_lock(&other_lock);
	n = bpf_rbtree_first(&by_time);
	bpf_spin_unlock(&other_lock);
	return n ? 1 : 0;
}

static _Bool peeks(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_rbtree_first(&by_time);
	return container_of(a, struct timed, node)->when < container_of(b, struct timed, node)->when;
}

static _Bool unlocks(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	bpf_spin_unlock(&lock);
	return container_of(a, struct timed, node)->when < container_of(b, struct timed, node)->when;
}

/* Accepted or refused by what `less` does: it may look at the tree, not touch the lock. */
static __always_inline int file_with(_Bool (*less)(struct bpf_rb_node *, const struct bpf_rb_node *), __u32 when)
{
	struct timed *t = new_object(struct timed);

	if (!t)
		return 1;
	t->when = when;
	bpf_spin_lock(&lock);
	bpf_rbtree_add_impl(&by_time, &t->node, less, 0, __builtin_offsetof(struct timed, node));
	bpf_spin_unlock(&lock);
	return 0;
}

SEC("tc")
int less_peeks(struct __sk_buff *skb)
{
	return file_with(peeks, skb->len);
}

SEC("tc")
int less_unlocks(struct __sk_buff *skb)
{
	return file_with(unlocks, skb->len);
}

/* Accepted: a pushed object, as an added one, is usable until the unlock. */
SEC("tc")
int push_then_write(struct __sk_buff *skb)
{
	struct queued *q = new_object(struct queued);
	int ret;

	if (!q)
		return 1;
	bpf_spin_lock(&lock);
	bpf_list_push_back_impl(&arrivals, &q->link, 0, __builtin_offsetof(struct queued, link));
	q->length = skb->len + 1;
	ret = q->length;
	bpf_spin_unlock(&lock);
	return ret;
}
