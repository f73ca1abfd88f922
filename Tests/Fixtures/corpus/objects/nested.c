/* Objects stashed inside objects: a program-allocated struct with a __kptr member takes
 * another object with bpf_kptr_xchg, hands it back the same way, and dropping the holder (or
 * the map value holding the holder) drops what it holds. The refused programs break the
 * member's rules. */
#include "objects.h"

/* The kernel keeps one type per bpf_obj_drop call: the compiler must not merge the drops of
 * different types into one call. */
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym __attribute__((nomerge));

struct length_note {
	__u32 length;
	__u32 pad;
};

struct holder {
	__u64 tag;
	struct length_note __kptr *note;
};

struct shelf {
	struct holder __kptr *holder;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct shelf);
	__uint(max_entries, 1);
} shelves SEC(".maps");

/* Puts a holder holding this packet's length on the shelf. Answers with what the shelf held:
 * 100000 + that holder's note (0 when it had none), or 7 when it was empty. */
SEC("tc")
int shelve(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct shelf *s = bpf_map_lookup_elem(&shelves, &key);
	struct length_note *n;
	struct holder *h;
	int ret = 7;

	if (!s)
		return 1;
	n = new_object(struct length_note);
	if (!n)
		return 2;
	h = new_object(struct holder);
	if (!h) {
		drop_object(n);
		return 3;
	}
	n->length = skb->len;
	h->tag = 5;
	n = bpf_kptr_xchg(&h->note, n);
	if (n) {
		/* A new holder's member is NULL. */
		drop_object(n);
		drop_object(h);
		return 4;
	}
	h = bpf_kptr_xchg(&s->holder, h);
	if (!h)
		return ret;
	n = bpf_kptr_xchg(&h->note, NULL);
	ret = 100000;
	if (n) {
		ret += n->length;
		drop_object(n);
	}
	drop_object(h);
	return ret;
}

/* Takes the note out of the shelved holder and leaves the holder there, empty: answers the
 * note's length, 8 when the holder had none, 7 when the shelf was empty. */
SEC("tc")
int take_note(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct shelf *s = bpf_map_lookup_elem(&shelves, &key);
	struct length_note *n;
	struct holder *h;
	int ret = 8;

	if (!s)
		return 1;
	h = bpf_kptr_xchg(&s->holder, NULL);
	if (!h)
		return 7;
	n = bpf_kptr_xchg(&h->note, NULL);
	if (n) {
		ret = n->length;
		drop_object(n);
	}
	h = bpf_kptr_xchg(&s->holder, h);
	if (h)
		drop_object(h);
	return ret;
}

/* Drops a holder that holds a note: the note goes with it. */
SEC("tc")
int drop_full(struct __sk_buff *skb)
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
	n = bpf_kptr_xchg(&h->note, n);
	if (n)
		drop_object(n);
	drop_object(h);
	return 0;
}

/* Refused: the holder may be NULL. */
SEC("tc")
int into_unchecked(struct __sk_buff *skb)
{
	struct holder *h = new_object(struct holder);
	struct length_note *n = new_object(struct length_note);

	if (!n) {
		if (h)
			drop_object(h);
		return 2;
	}
	n = bpf_kptr_xchg(&h->note, n);
	if (n)
		drop_object(n);
	if (h)
		drop_object(h);
	return 0;
}

/* Refused: the exchange points at the holder's tag, not its __kptr member. */
SEC("tc")
int into_plain_member(struct __sk_buff *skb)
{
	struct holder *h = new_object(struct holder);
	struct length_note *n;

	if (!h)
		return 2;
	n = new_object(struct length_note);
	if (!n) {
		drop_object(h);
		return 3;
	}
	n = bpf_kptr_xchg((struct length_note **)&h->tag, n);
	if (n)
		drop_object(n);
	drop_object(h);
	return 0;
}

/* Refused: a holder does not go where a note goes. */
SEC("tc")
int wrong_type(struct __sk_buff *skb)
{
	struct holder *h = new_object(struct holder);
	struct holder *other;

	if (!h)
		return 2;
	other = new_object(struct holder);
	if (!other) {
		drop_object(h);
		return 3;
	}
	other = bpf_kptr_xchg((struct holder **)&h->note, other);
	if (other)
		drop_object(other);
	drop_object(h);
	return 0;
}

/* Refused: a note has no __kptr member to exchange into. */
SEC("tc")
int into_object_without_kptr(struct __sk_buff *skb)
{
	struct length_note *n = new_object(struct length_note);
	struct length_note *m;

	if (!n)
		return 2;
	m = new_object(struct length_note);
	if (!m) {
		drop_object(n);
		return 3;
	}
	m = bpf_kptr_xchg((struct length_note **)n, m);
	if (m)
		drop_object(m);
	drop_object(n);
	return 0;
}

/* Refused: the note taken out of the holder is never dropped. */
SEC("tc")
int leak_taken(struct __sk_buff *skb)
{
	struct holder *h = new_object(struct holder);

	if (!h)
		return 2;
	bpf_kptr_xchg(&h->note, NULL);
	drop_object(h);
	return 0;
}
