/* snprintf_btf showing objects: the kernel's text of kernel types (structs, unions, bitfields,
 * char arrays, ints of every size and sign, enums and enum64, typedefs, pointers, arrays of
 * structs, pointers and enums)
 * under every flag, truncated to small sizes, for objects on the stack, in the packet and in
 * a map value. The packet says what to show:
 *   byte 14 the type (see type_id below), 15 the flags, 16 where the object lies (0 stack,
 *   1 packet, 2 map value, 3 address 0), 17 the text's size (0: all 1016 bytes);
 *   bytes 24..216 the object's bytes.
 * The answer goes to map `shown`: the helper's return value, then the text. */
#include "skb_helpers.h"
#include <bpf/bpf_core_read.h>

/* Only the names matter: the type ids are the kernel's, relocated by name. */
struct iphdr { int x; };
struct ethhdr { int x; };
struct ipv6hdr { int x; };
struct tcphdr { int x; };
struct list_head { int x; };
struct callback_head { int x; };
struct in6_addr { int x; };
union tcp_word_hdr { int x; };
struct minmax { int x; };
struct lpm_trie_node { int x; };
struct bpf_reg_types { int x; };
struct ping_group_range { int x; };
enum bpf_map_type { BPF_MAP_TYPE_UNSPEC };
enum rpm_status { RPM_INVALID = -1 };
enum perf_callchain_context { PERF_CONTEXT_MAX = 0xfffffffffffff001ULL };
typedef short s16;
typedef unsigned short u16;
typedef long long s64;
typedef unsigned long long u64;
typedef unsigned __int128 u128;
typedef struct { int counter; } atomic_t;

struct btf_ptr {
	void *ptr;
	__u32 type_id;
	__u32 flags;
};

#define TEXT 1016
struct answer {
	__s64 ret;
	char text[TEXT];
};

#define OBJECT 192
struct object { __u8 bytes[OBJECT]; };

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct answer);
} shown SEC(".maps");

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct object);
} objects SEC(".maps");

static long (*snprintf_btf)(char *text, __u32 size, struct btf_ptr *ptr, __u32 ptr_size, __u64 flags) = (void *)149;

static __always_inline __u32 type_id(__u8 which)
{
	switch (which) {
	case 0: return bpf_core_type_id_kernel(struct iphdr);
	case 1: return bpf_core_type_id_kernel(struct ethhdr);
	case 2: return bpf_core_type_id_kernel(struct ipv6hdr);
	case 3: return bpf_core_type_id_kernel(struct tcphdr);
	case 4: return bpf_core_type_id_kernel(struct __sk_buff);
	case 5: return bpf_core_type_id_kernel(struct list_head);
	case 6: return bpf_core_type_id_kernel(struct callback_head);
	case 7: return bpf_core_type_id_kernel(struct in6_addr);
	case 8: return bpf_core_type_id_kernel(union tcp_word_hdr);
	case 9: return bpf_core_type_id_kernel(struct bpf_tunnel_key);
	case 10: return bpf_core_type_id_kernel(enum bpf_map_type);
	case 11: return bpf_core_type_id_kernel(enum rpm_status);
	case 12: return bpf_core_type_id_kernel(enum perf_callchain_context);
	case 13: return bpf_core_type_id_kernel(int);
	case 14: return bpf_core_type_id_kernel(char);
	case 15: return bpf_core_type_id_kernel(signed char);
	case 16: return bpf_core_type_id_kernel(unsigned char);
	case 17: return bpf_core_type_id_kernel(_Bool);
	case 18: return bpf_core_type_id_kernel(__int128);
	case 19: return bpf_core_type_id_kernel(double);
	case 20: return bpf_core_type_id_kernel(s16);
	case 21: return bpf_core_type_id_kernel(u16);
	case 22: return bpf_core_type_id_kernel(s64);
	case 23: return bpf_core_type_id_kernel(u64);
	case 24: return bpf_core_type_id_kernel(u128);
	case 25: return bpf_core_type_id_kernel(atomic_t);
	case 26: return bpf_core_type_id_kernel(unsigned int);
	case 27: return bpf_core_type_id_kernel(struct minmax);
	case 28: return bpf_core_type_id_kernel(struct lpm_trie_node);
	case 29: return bpf_core_type_id_kernel(struct bpf_reg_types);
	case 30: return bpf_core_type_id_kernel(struct ping_group_range);
	}
	return 0;
}

SEC("tc") int show(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct btf_ptr object = {};
	struct object copy;
	struct answer *answer;
	struct object *kept;
	__u32 zero = 0, size;
	__u8 where;

	if (data + 24 + OBJECT > end)
		return 1;
	answer = bpf_map_lookup_elem(&shown, &zero);
	kept = bpf_map_lookup_elem(&objects, &zero);
	if (!answer || !kept)
		return 1;
	if (bpf_skb_load_bytes(skb, 24, &copy, sizeof(copy)))
		return 1;
	__builtin_memcpy(kept, &copy, sizeof(copy));
	object.type_id = type_id(*(__u8 *)(data + 14));
	where = *(__u8 *)(data + 16);
	if (where == 0)
		object.ptr = &copy;
	else if (where == 1)
		object.ptr = data + 24;
	else if (where == 2)
		object.ptr = kept;
	size = *(__u8 *)(data + 17);
	if (size == 0 || size > TEXT)
		size = TEXT;
	answer->ret = snprintf_btf(answer->text, size, &object, sizeof(object), *(__u8 *)(data + 15));
	return 0;
}

char _license[] SEC("license") = "GPL";
