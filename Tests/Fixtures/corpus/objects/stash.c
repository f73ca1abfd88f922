/* Objects stashed in a map value's kptr field with bpf_kptr_xchg: the field keeps the object
 * between runs, an exchange hands back the one it held (which the program then owns), and
 * userspace neither sees nor writes the field. The refused programs break the field's rules. */
#include "objects.h"

struct packet_note {
	__u32 length;
	__u32 seen;
};

struct other_note {
	__u64 word;
};

struct slot {
	__u64 stashes;
	struct packet_note __kptr *note;
	__u64 tail;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct slot);
	__uint(max_entries, 2);
} slots SEC(".maps");

/* Keeps this packet's length in slot 0, and answers with what the slot held before: the
 * previous packet's length plus 1000 per earlier exchange that found an object. */
SEC("tc")
int stash_length(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *n, *old;
	int ret = 0;

	if (!s)
		return 1;
	n = new_object(struct packet_note);
	if (!n)
		return 2;
	n->length = skb->len;
	s->stashes++;
	old = bpf_kptr_xchg(&s->note, n);
	if (old) {
		n = old;
		ret = n->length + 1000 * n->seen;
		drop_object(n);
	}
	return ret + 100000 * (s->stashes & 0xff);
}

/* Takes the object out of slot 0 (leaving the field empty) and answers with its length, or
 * 7 when the slot was empty. */
SEC("tc")
int unstash(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *old;
	int ret;

	if (!s)
		return 1;
	old = bpf_kptr_xchg(&s->note, (struct packet_note *)0);
	if (!old)
		return 7;
	ret = old->length;
	drop_object(old);
	return ret;
}

SEC("tc")
int stash_leaked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *n, *old;

	if (!s)
		return 1;
	n = new_object(struct packet_note);
	if (!n)
		return 2;
	old = bpf_kptr_xchg(&s->note, n);
	return old ? 3 : 0;
}

SEC("tc")
int stash_wrong_type(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct other_note *n;
	struct packet_note *old;

	if (!s)
		return 1;
	n = new_object(struct other_note);
	if (!n)
		return 2;
	old = bpf_kptr_xchg(&s->note, (struct packet_note *)n);
	if (old)
		drop_object(old);
	return 0;
}

SEC("tc")
int stash_unchecked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *n, *old;

	if (!s)
		return 1;
	n = new_object(struct packet_note);
	old = bpf_kptr_xchg(&s->note, n);
	if (old)
		drop_object(old);
	return 0;
}

SEC("tc")
int stash_into_other_field(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *n, *old;

	if (!s)
		return 1;
	n = new_object(struct packet_note);
	if (!n)
		return 2;
	old = bpf_kptr_xchg((void *)&s->tail, n);
	if (old)
		drop_object(old);
	return 0;
}

SEC("tc")
int store_to_field(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);

	if (!s)
		return 1;
	*(__u64 *)&s->note = skb->len;
	return 0;
}

SEC("tc")
int field_read_narrow(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);

	if (!s)
		return 1;
	return *(volatile __u32 *)&s->note;
}

SEC("tc")
int use_after_stash(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *n, *old;

	if (!s)
		return 1;
	n = new_object(struct packet_note);
	if (!n)
		return 2;
	old = bpf_kptr_xchg(&s->note, n);
	if (old)
		drop_object(old);
	return n->length;
}

/* Reads the stashed object through the field without taking it: an untrusted pointer whose
 * loads the kernel allows (they read 0 once the object is gone). */
SEC("tc")
int peek(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct slot *s = bpf_map_lookup_elem(&slots, &key);
	struct packet_note *n;

	if (!s)
		return 1;
	n = s->note;
	if (!n)
		return 7;
	return n->length;
}
