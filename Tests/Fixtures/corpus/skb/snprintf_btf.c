/* snprintf_btf's refusals before it shows anything: unknown flags, a btf_ptr of another size,
 * a type id of 0. The packet carries the type id at byte 14, a selector at 18 (1: an 8-byte
 * btf_ptr) and the flags at 19; the answer goes back at byte 27. */
#include "skb_helpers.h"

struct btf_ptr {
	void *ptr;
	__u32 type_id;
	__u32 flags;
};

static long (*snprintf_btf)(char *text, __u32 size, struct btf_ptr *ptr, __u32 ptr_size, __u64 flags) = (void *)149;

SEC("tc") int show_refusals(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct btf_ptr object = {};
	char text[32];
	__u64 flags, answer;
	__u32 type_id;

	if (data + 40 > end)
		return 1;
	__builtin_memcpy(&type_id, data + 14, 4);
	__builtin_memcpy(&flags, data + 19, 8);
	object.ptr = text;
	object.type_id = type_id;
	if (*(__u8 *)(data + 18))
		answer = snprintf_btf(text, sizeof(text), &object, 8, flags);
	else
		answer = snprintf_btf(text, sizeof(text), &object, sizeof(object), flags);
	__builtin_memcpy(data + 27, &answer, 8);
	return 0;
}

char _license[] SEC("license") = "GPL";
