/* Objects a tc program allocates (bpf_obj_new) and frees (bpf_obj_drop) within one run: zeroed,
 * NULL when the allocator has no size class for them, bounded to their type's size, and owned:
 * every path must drop what it allocated. The refused programs each break one of those rules. */
#include "objects.h"

struct tally {
	__u64 bytes;
	__u32 packets;
	__u32 protocol;
};

/* The kernel's allocator adds an 8-byte header and has no class above 4096 bytes. */
struct fits {
	char bytes[4088];
};

struct too_big {
	char bytes[4089];
};

SEC("tc")
int tally_packet(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);
	int ret;

	if (!t)
		return 100;
	/* A fresh object reads as zeros: anything else shows in the result. */
	ret = t->bytes + t->packets + t->protocol;
	t->bytes += skb->len;
	t->packets++;
	t->protocol = skb->protocol;
	ret += t->bytes * 10 + t->packets + (t->protocol == bpf_htons(0x0800) ? 5000 : 0);
	drop_object(t);
	return ret;
}

SEC("tc")
int largest_fits(struct __sk_buff *skb)
{
	struct fits *f = new_object(struct fits);
	int ret;

	if (!f)
		return 2;
	f->bytes[4087] = skb->len & 0x7f;
	ret = f->bytes[4087] + f->bytes[0];
	drop_object(f);
	return ret;
}

SEC("tc")
int one_too_big(struct __sk_buff *skb)
{
	struct too_big *b = new_object(struct too_big);

	if (!b)
		return 2;
	drop_object(b);
	return 1;
}

SEC("tc")
int two_objects(struct __sk_buff *skb)
{
	struct tally *a = new_object(struct tally);
	struct tally *b;
	int ret;

	if (!a)
		return 100;
	b = new_object(struct tally);
	if (!b) {
		drop_object(a);
		return 101;
	}
	a->bytes = skb->len;
	b->bytes = a->bytes + 1;
	/* Two objects, two places: writing one leaves the other alone. */
	ret = (a != b) + b->bytes - a->bytes + b->packets;
	drop_object(b);
	drop_object(a);
	return ret;
}

SEC("tc")
int leaked(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);

	return t ? 1 : 0;
}

SEC("tc")
int leaked_on_one_path(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);

	if (!t)
		return 0;
	if (skb->len > 100)
		return 1;
	drop_object(t);
	return 2;
}

SEC("tc")
int unchecked(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);

	t->packets = 1;
	if (t)
		drop_object(t);
	return 0;
}

SEC("tc")
int past_the_end(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);
	__u32 *words;
	int ret;

	if (!t)
		return 0;
	words = (__u32 *)t;
	ret = words[4];
	drop_object(t);
	return ret;
}

SEC("tc")
int read_after_drop(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);

	if (!t)
		return 0;
	drop_object(t);
	return t->packets;
}

SEC("tc")
int dropped_twice(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);

	if (!t)
		return 0;
	drop_object(t);
	drop_object(t);
	return 0;
}

SEC("tc")
int not_a_struct(struct __sk_buff *skb)
{
	int *n = (int *)bpf_obj_new_impl(bpf_core_type_id_local(int), 0);

	if (!n)
		return 0;
	drop_object(n);
	return 1;
}

SEC("tc")
int type_not_constant(struct __sk_buff *skb)
{
	struct tally *t = (struct tally *)bpf_obj_new_impl(skb->len, 0);

	if (!t)
		return 0;
	drop_object(t);
	return 1;
}

SEC("tc")
int drop_stack(struct __sk_buff *skb)
{
	struct tally local = {};

	drop_object(&local);
	return 0;
}

SEC("tc")
int drop_moved(struct __sk_buff *skb)
{
	struct tally *t = new_object(struct tally);

	if (!t)
		return 0;
	drop_object(&t->packets);
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

SEC("tc")
int drop_ring_record(struct __sk_buff *skb)
{
	struct tally *t = bpf_ringbuf_reserve(&records, sizeof(*t), 0);

	if (!t)
		return 0;
	drop_object(t);
	return 1;
}
