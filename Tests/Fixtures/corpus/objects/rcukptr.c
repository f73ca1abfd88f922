/* A referenced kptr field holding an object of a type with a struct bpf_refcount, loaded
 * directly (not exchanged out): in a tc program, always inside an RCU read section, the kernel
 * types the load as an RCU-protected allocated object (MEM_ALLOC | MEM_RCU) that may be NULL,
 * which the program may read, write and take an owning reference to with
 * bpf_refcount_acquire, but may not drop. */
#include "objects.h"

struct bpf_refcount { __u32 opaque[1]; } __attribute__((aligned(4)));

extern void *bpf_refcount_acquire_impl(void *kptr__ign, void *meta__ign) __ksym;

struct counter {
	struct bpf_refcount ref;
	__u32 hits;
	__u64 bytes;
};

struct holder {
	struct counter __kptr *counter;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct holder);
	__uint(max_entries, 1);
} holders SEC(".maps");

static struct holder *holder(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&holders, &zero);
}

/* Puts a fresh counter in the field; answers 1 when it replaced one. */
SEC("tc")
int install(struct __sk_buff *skb)
{
	struct holder *h = holder();
	struct counter *c, *old;

	if (!h)
		return 2;
	c = new_object(struct counter);
	if (!c)
		return 3;
	/* The kernel zeroes only an object's special fields. */
	c->hits = 0;
	c->bytes = 0;
	old = bpf_kptr_xchg(&h->counter, c);
	if (old) {
		drop_object(old);
		return 1;
	}
	return 0;
}

/* Counts the packet through the field without taking the object out: hits * 1000 + bytes,
 * or 7 when the field is empty. */
SEC("tc")
int count_in_place(struct __sk_buff *skb)
{
	struct holder *h = holder();
	struct counter *c;

	if (!h)
		return 2;
	c = h->counter;
	if (!c)
		return 7;
	c->hits++;
	c->bytes += skb->len;
	return c->hits * 1000 + c->bytes;
}

/* Takes an owning reference through the field and reads through it. */
SEC("tc")
int acquire_in_place(struct __sk_buff *skb)
{
	struct holder *h = holder();
	struct counter *c, *mine;
	int ret;

	if (!h)
		return 2;
	c = h->counter;
	if (!c)
		return 7;
	mine = bpf_refcount_acquire_impl(c, 0);
	if (!mine)
		return 8;
	ret = mine->hits;
	drop_object(mine);
	return ret;
}

/* Refused: the program holds no reference to drop. */
SEC("tc")
int drop_in_place(struct __sk_buff *skb)
{
	struct holder *h = holder();
	struct counter *c;

	if (!h)
		return 2;
	c = h->counter;
	if (!c)
		return 7;
	drop_object(c);
	return 0;
}
