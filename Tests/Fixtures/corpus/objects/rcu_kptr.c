/* A refcounted object left in a map value's kptr field is read in place: a tc program runs
 * under the RCU read lock, so loading the field gives a pointer bpf_refcount_acquire_impl may
 * take another reference through (NULL until compared: the object may be on its way out),
 * without exchanging the object out. A plain struct's field gives no such pointer. */
#include "objects.h"

struct bpf_refcount { __u32 opaque[1]; } __attribute__((aligned(4)));

extern void *bpf_refcount_acquire_impl(void *kptr__ign, void *meta__ign) __ksym;

struct counted {
	__u64 length;
	struct bpf_refcount ref;
};

struct uncounted {
	__u64 length;
};

struct cell {
	struct counted __kptr *counted;
	struct uncounted __kptr *uncounted;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct cell);
	__uint(max_entries, 1);
} cells SEC(".maps");

/* Keeps a counted object holding this packet's length in the cell; 9 when one was there. */
SEC("tc")
int keep(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct cell *c = bpf_map_lookup_elem(&cells, &key);
	struct counted *n;

	if (!c)
		return 1;
	n = new_object(struct counted);
	if (!n)
		return 2;
	n->length = skb->len;
	n = bpf_kptr_xchg(&c->counted, n);
	if (n) {
		drop_object(n);
		return 9;
	}
	return 0;
}

/* Takes a second reference to the kept object, in place: its length, 7 when none is kept. */
SEC("tc")
int share(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct cell *c = bpf_map_lookup_elem(&cells, &key);
	struct counted *kept, *mine;
	int ret;

	if (!c)
		return 1;
	kept = c->counted;
	if (!kept)
		return 7;
	mine = bpf_refcount_acquire_impl(kept, 0);
	if (!mine)
		return 8;
	ret = mine->length;
	drop_object(mine);
	return ret;
}

/* Refused: the loaded pointer is not compared with NULL. */
SEC("tc")
int share_unchecked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct cell *c = bpf_map_lookup_elem(&cells, &key);
	struct counted *mine;

	if (!c)
		return 1;
	mine = bpf_refcount_acquire_impl(c->counted, 0);
	if (mine)
		drop_object(mine);
	return 0;
}

/* Refused: a plain struct's field gives an untrusted pointer. */
SEC("tc")
int share_uncounted(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct cell *c = bpf_map_lookup_elem(&cells, &key);
	struct uncounted *kept, *mine;

	if (!c)
		return 1;
	kept = c->uncounted;
	if (!kept)
		return 7;
	mine = bpf_refcount_acquire_impl(kept, 0);
	if (mine)
		drop_object(mine);
	return 0;
}

/* An untrusted field's pointer is no object a reference can be taken through (EINVAL), even
 * of a refcounted type and compared with NULL. */
struct loose_cell {
	struct counted __attribute__((btf_type_tag("kptr_untrusted"))) *counted;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct loose_cell);
	__uint(max_entries, 1);
} loose_cells SEC(".maps");

SEC("tc")
int share_untrusted(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct loose_cell *c = bpf_map_lookup_elem(&loose_cells, &key);
	struct counted *kept, *mine;
	int ret;

	if (!c)
		return 1;
	kept = c->counted;
	if (!kept)
		return 7;
	mine = bpf_refcount_acquire_impl(kept, 0);
	if (!mine)
		return 8;
	ret = mine->length;
	drop_object(mine);
	return ret;
}
