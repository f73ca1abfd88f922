/* The kernel notes, on each bpf_obj_drop call, the record of special members of the type it
 * frees. The compiler merges drops that end alike into one call: two plain structs share it,
 * a plain struct and one with a __kptr member (which has a record) do not. */
#include "objects.h"

struct length_note {
	__u32 length;
	__u32 pad;
};

struct flag_box {
	__u64 tag;
};

struct holder {
	__u64 tag;
	struct length_note __kptr *note;
};

/* Loads: both structs are plain. */
SEC("tc")
int two_plain(struct __sk_buff *skb)
{
	struct length_note *n = new_object(struct length_note);
	struct flag_box *b;

	if (!n)
		return 2;
	b = new_object(struct flag_box);
	if (!b) {
		drop_object(n);
		return 3;
	}
	if (skb->len > 50) {
		drop_object(b);
		drop_object(n);
		return 4;
	}
	drop_object(n);
	drop_object(b);
	return 0;
}

/* Refused (EINVAL): one merged drop frees a plain struct and a holder. */
SEC("tc")
int plain_and_holder(struct __sk_buff *skb)
{
	struct length_note *n = new_object(struct length_note);
	struct holder *h;

	if (!n)
		return 2;
	h = new_object(struct holder);
	if (!h) {
		drop_object(n);
		return 3;
	}
	if (skb->len > 50) {
		drop_object(h);
		drop_object(n);
		return 4;
	}
	drop_object(n);
	drop_object(h);
	return 0;
}
