/* Objects kept sorted in a red-black tree in a map value: a bpf_rb_root guarded by the
 * bpf_spin_lock beside it, ordered by a `less` callback the kernel calls on every insertion.
 * The packet's length is each object's key, so runs of packets of different lengths fill the
 * tree; the refused programs break the lock, ownership and callback rules. */
#include "objects.h"

struct bpf_rb_root { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 opaque[4]; } __attribute__((aligned(8)));
struct bpf_list_head { __u64 opaque[2]; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 opaque[3]; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 opaque[1]; } __attribute__((aligned(4)));

#define __contains(type, member) __attribute__((btf_decl_tag("contains:" #type ":" #member)))

extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
			       _Bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
			       void *meta__ign, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta__ign, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr__ign, void *meta__ign) __ksym;

#define add(root, obj, less) \
	bpf_rbtree_add_impl((root), &(obj)->node, (less), 0, __builtin_offsetof(typeof(*(obj)), node))

struct entry {
	__u32 key;
	__u32 seen;
	struct bpf_rb_node node;
};

struct tree {
	struct bpf_spin_lock lock;
	struct bpf_rb_root entries __contains(entry, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tree);
	__uint(max_entries, 1);
} trees SEC(".maps");

/* What a refused callback tries to count in. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} compares SEC(".maps");

static struct tree *tree(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&trees, &key);
}

#define entry_of(n) container_of(n, struct entry, node)

static _Bool by_key(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return entry_of(a)->key < entry_of(b)->key;
}

/* Inserts an entry keyed by the packet's length. */
SEC("tc")
int insert(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	e->key = skb->len;
	bpf_spin_lock(&t->lock);
	add(&t->entries, e, by_key);
	bpf_spin_unlock(&t->lock);
	return 0;
}

static _Bool counts(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&compares, &zero);

	if (count)
		*count += 1;
	return entry_of(a)->key < entry_of(b)->key;
}

/* Refused: `less` runs under the tree's lock, where no helper may be called. */
SEC("tc")
int less_calls_helper(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	bpf_spin_lock(&t->lock);
	add(&t->entries, e, counts);
	bpf_spin_unlock(&t->lock);
	return 0;
}

/* Takes the smallest entry off and returns its key; 7 when the tree is empty. */
SEC("tc")
int take_first(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct bpf_rb_node *n;
	int ret;

	if (!t)
		return 1;
	bpf_spin_lock(&t->lock);
	n = bpf_rbtree_first(&t->entries);
	if (!n) {
		bpf_spin_unlock(&t->lock);
		return 7;
	}
	n = bpf_rbtree_remove(&t->entries, n);
	bpf_spin_unlock(&t->lock);
	if (!n)
		return 8;
	ret = entry_of(n)->key;
	bpf_obj_drop_impl(entry_of(n), 0);
	return ret;
}

/* The tree's shape: root key * 1000000 + left child's key * 1000 + right child's key (0 for
 * none); the first entry is marked seen through its non-owning reference. */
SEC("tc")
int shape(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct bpf_rb_node *root, *left, *right, *first;
	int ret = 0;

	if (!t)
		return 1;
	bpf_spin_lock(&t->lock);
	first = bpf_rbtree_first(&t->entries);
	if (first)
		entry_of(first)->seen += 1;
	root = bpf_rbtree_root(&t->entries);
	if (!root) {
		bpf_spin_unlock(&t->lock);
		return 7;
	}
	ret = entry_of(root)->key * 1000000;
	left = bpf_rbtree_left(&t->entries, root);
	if (left)
		ret += entry_of(left)->key * 1000;
	right = bpf_rbtree_right(&t->entries, root);
	if (right)
		ret += entry_of(right)->key;
	bpf_spin_unlock(&t->lock);
	return ret;
}

/* How often the first entry was marked seen (7 when empty). */
SEC("tc")
int first_seen(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct bpf_rb_node *first;
	int ret = 7;

	if (!t)
		return 1;
	bpf_spin_lock(&t->lock);
	first = bpf_rbtree_first(&t->entries);
	if (first)
		ret = entry_of(first)->seen;
	bpf_spin_unlock(&t->lock);
	return ret;
}

/* Refused: the root is used without its lock. */
SEC("tc")
int add_unlocked(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	add(&t->entries, e, by_key);
	return 0;
}

/* Refused: after the add the entry is the tree's; past the unlock it is gone. */
SEC("tc")
int use_after_unlock(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	bpf_spin_lock(&t->lock);
	add(&t->entries, e, by_key);
	e->seen = 5;
	bpf_spin_unlock(&t->lock);
	return e->seen;
}

/* Accepted: before the unlock the added entry is still usable (a non-owning reference). */
SEC("tc")
int use_before_unlock(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;
	int ret;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	e->key = skb->len;
	bpf_spin_lock(&t->lock);
	add(&t->entries, e, by_key);
	e->seen = 5;
	ret = e->key + e->seen;
	bpf_spin_unlock(&t->lock);
	return ret;
}

/* Refused: a removed entry is the program's and must be dropped. */
SEC("tc")
int removed_leaked(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct bpf_rb_node *n;

	if (!t)
		return 1;
	bpf_spin_lock(&t->lock);
	n = bpf_rbtree_first(&t->entries);
	if (n)
		n = bpf_rbtree_remove(&t->entries, n);
	bpf_spin_unlock(&t->lock);
	return n ? 3 : 7;
}

/* Refused: the first entry is the tree's, not the program's to drop. */
SEC("tc")
int drop_first(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct bpf_rb_node *n;

	if (!t)
		return 1;
	bpf_spin_lock(&t->lock);
	n = bpf_rbtree_first(&t->entries);
	bpf_spin_unlock(&t->lock);
	if (n)
		bpf_obj_drop_impl(entry_of(n), 0);
	return 0;
}

static int out_of_range(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return entry_of(a)->key < entry_of(b)->key ? 2 : 0;
}

/* Refused: `less` may return only 0 or 1. */
SEC("tc")
int less_returns_two(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	bpf_spin_lock(&t->lock);
	bpf_rbtree_add_impl(&t->entries, &e->node, (void *)out_of_range, 0, __builtin_offsetof(struct entry, node));
	bpf_spin_unlock(&t->lock);
	return 0;
}

static _Bool writes_node(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	entry_of(a)->seen = 1;
	return entry_of(a)->key < entry_of(b)->key;
}

/* Accepted: `less` may write the entries it compares. */
SEC("tc")
int less_writes(struct __sk_buff *skb)
{
	struct tree *t = tree();
	struct entry *e;

	if (!t)
		return 1;
	e = new_object(struct entry);
	if (!e)
		return 2;
	e->key = skb->len;
	bpf_spin_lock(&t->lock);
	add(&t->entries, e, writes_node);
	bpf_spin_unlock(&t->lock);
	return 0;
}

/* One refcounted object on a list and in a tree at once, both under one lock. */
struct shared {
	__u32 key;
	struct bpf_refcount ref;
	struct bpf_list_node link;
	struct bpf_rb_node node;
};

struct both {
	struct bpf_spin_lock lock;
	struct bpf_list_head fifo __contains(shared, link);
	struct bpf_rb_root sorted __contains(shared, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct both);
	__uint(max_entries, 1);
} boths SEC(".maps");

static struct both *both(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&boths, &key);
}

static _Bool shared_less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	return container_of(a, struct shared, node)->key < container_of(b, struct shared, node)->key;
}

/* Puts an object keyed by the packet's length on the list and in the tree. */
SEC("tc")
int share(struct __sk_buff *skb)
{
	struct both *v = both();
	struct shared *s, *second;

	if (!v)
		return 1;
	s = new_object(struct shared);
	if (!s)
		return 2;
	s->key = skb->len;
	second = bpf_refcount_acquire_impl(s, 0);
	bpf_spin_lock(&v->lock);
	bpf_list_push_back_impl(&v->fifo, &s->link, 0, __builtin_offsetof(struct shared, link));
	if (second)
		bpf_rbtree_add_impl(&v->sorted, &second->node, shared_less, 0, __builtin_offsetof(struct shared, node));
	bpf_spin_unlock(&v->lock);
	return 0;
}

/* Takes the list's first object off the list and out of the tree: its key * 1000 + the
 * tree's smallest key left (0 when none); 7 when the list is empty. */
SEC("tc")
int unshare(struct __sk_buff *skb)
{
	struct both *v = both();
	struct bpf_list_node *l;
	struct bpf_rb_node *n, *first;
	struct shared *s;
	int ret;

	if (!v)
		return 1;
	bpf_spin_lock(&v->lock);
	l = bpf_list_pop_front(&v->fifo);
	if (!l) {
		bpf_spin_unlock(&v->lock);
		return 7;
	}
	s = container_of(l, struct shared, link);
	n = bpf_rbtree_remove(&v->sorted, &s->node);
	first = bpf_rbtree_first(&v->sorted);
	ret = s->key * 1000;
	if (first)
		ret += container_of(first, struct shared, node)->key;
	bpf_spin_unlock(&v->lock);
	bpf_obj_drop_impl(s, 0);
	if (n)
		bpf_obj_drop_impl(container_of(n, struct shared, node), 0);
	return ret;
}
