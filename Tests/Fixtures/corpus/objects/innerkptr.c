/* A map of maps whose inner maps' values hold a kptr. The kernel puts a map in a slot only
 * when its special fields match the inner template's (bpf_map_meta_equal), so the template
 * must be created with the inner definition's BTF, as libbpf creates it. */
#include "objects.h"

struct marker {
	__u64 length;
};

struct holder {
	__u64 uses;
	struct marker __kptr *last;
};

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct holder);
	__uint(max_entries, 1);
} holders SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer SEC(".maps") = {
	.values = { [0] = &holders },
};

/* Keeps this packet's length in the inner map's kptr and answers with the previous one, or 7
 * the first time. */
SEC("tc")
int swap_marker(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct holder *h;
	struct marker *m, *old;
	void *inner = bpf_map_lookup_elem(&outer, &zero);
	int ret = 7;

	if (!inner)
		return 1;
	h = bpf_map_lookup_elem(inner, &zero);
	if (!h)
		return 2;
	m = new_object(struct marker);
	if (!m)
		return 3;
	m->length = skb->len;
	h->uses++;
	old = bpf_kptr_xchg(&h->last, m);
	if (old) {
		ret = old->length;
		drop_object(old);
	}
	return ret;
}
