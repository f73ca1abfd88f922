/* Special members one struct deep, and in an array of structs, inside a map value and inside an
 * allocated object: the kernel's btf_parse_fields walks into struct members (and arrays of them)
 * to find locks and kptrs, so programs use them there as at the top level. */
#include "objects.h"

struct note {
	__u64 value;
};

struct guarded {
	struct bpf_spin_lock lock;
	__u64 count;
};

struct holder {
	__u64 tag;
	struct note __kptr *note;
};

struct pair {
	struct note __kptr *note;
};

struct shelf {
	__u64 seen;
	struct guarded guarded;
	struct holder holder;
	struct pair pairs[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct shelf);
	__uint(max_entries, 1);
} shelves SEC(".maps");

struct box {
	__u64 size;
	struct holder holder;
};

static __always_inline struct shelf *shelf(void)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&shelves, &key);
}

/* Counts under the nested lock; answers the count. */
SEC("tc")
int count_locked(struct __sk_buff *skb)
{
	struct shelf *s = shelf();
	__u64 count;

	if (!s)
		return 1;
	bpf_spin_lock(&s->guarded.lock);
	count = ++s->guarded.count;
	bpf_spin_unlock(&s->guarded.lock);
	return count;
}

/* Stashes a note of the packet's length in the nested field (or, for a long packet, in the
 * second pair); answers 1000 + the value of the one it replaced, or 0. */
SEC("tc")
int stash_nested(struct __sk_buff *skb)
{
	struct shelf *s = shelf();
	struct note *n, *old;
	int ret = 0;

	if (!s)
		return 1;
	n = new_object(struct note);
	if (!n)
		return 2;
	n->value = skb->len;
	if (skb->len > 60)
		old = bpf_kptr_xchg(&s->pairs[1].note, n);
	else
		old = bpf_kptr_xchg(&s->holder.note, n);
	if (old) {
		ret = 1000 + old->value;
		drop_object(old);
	}
	return ret;
}

/* Takes both nested notes out: their values, first * 1000 + second; 7 when both are empty. */
SEC("tc")
int unstash_nested(struct __sk_buff *skb)
{
	struct shelf *s = shelf();
	struct note *a, *b;
	int ret = 0, found = 0;

	if (!s)
		return 1;

	a = bpf_kptr_xchg(&s->holder.note, (struct note *)0);
	if (a) {
		ret += a->value * 1000;
		found = 1;
		drop_object(a);
	}
	b = bpf_kptr_xchg(&s->pairs[1].note, (struct note *)0);
	if (b) {
		ret += b->value;
		found = 1;
		drop_object(b);
	}
	return found ? ret : 7;
}

/* An allocated object with a kptr one struct deep: a note goes in and comes back out. */
SEC("tc")
int object_nested(struct __sk_buff *skb)
{
	struct box *b = new_object(struct box);
	struct note *n, *old;
	int ret = 0;

	if (!b)
		return 1;
	n = new_object(struct note);
	if (!n) {
		drop_object(b);
		return 2;
	}
	n->value = 9;
	old = bpf_kptr_xchg(&b->holder.note, n);
	if (old)
		drop_object(old);
	old = bpf_kptr_xchg(&b->holder.note, (struct note *)0);
	if (old) {
		ret = old->value;
		drop_object(old);
	}
	drop_object(b);
	return ret;
}

SEC("tc")
int store_nested(struct __sk_buff *skb)
{
	struct shelf *s = shelf();

	if (!s)
		return 1;
	s->holder.note = 0;
	return 0;
}

SEC("tc")
int read_nested_lock(struct __sk_buff *skb)
{
	struct shelf *s = shelf();

	if (!s)
		return 1;
	return *(volatile __u32 *)&s->guarded.lock;
}

SEC("tc")
int field_misaligned(struct __sk_buff *skb)
{
	struct shelf *s = shelf();
	struct note *old;

	if (!s)
		return 1;
	old = bpf_kptr_xchg((struct note **)&s->holder.tag, (struct note *)0);
	if (old)
		drop_object(old);
	return 0;
}
