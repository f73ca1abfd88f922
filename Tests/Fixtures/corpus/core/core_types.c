/* Type, enum and field facts through CO-RE, written into the first 20 bytes of the packet:
 * types that exist or not, their sizes, whether they match, enumerators and their values,
 * field sizes, offsets and signedness. */
#include "core.h"

/* Not in any kernel: existence answers 0, ids 0. */
struct tcx_not_in_kernel {
	int x;
} __attribute__((preserve_access_index));

enum tcx_missing_enum {
	TCX_MISSING_A = 1,
};

/* A flavour of udphdr with the wrong field width: exists, but does not match. */
struct udphdr___wrong {
	__u32 source;
} __attribute__((preserve_access_index));

SEC("tc")
int type_facts(struct __sk_buff *skb)
{
	__u8 *p = (void *)(long)skb->data;
	__u8 *end = (void *)(long)skb->data_end;

	if (p + 20 > end)
		return TC_ACT_SHOT;
	p[0] = type_exists(struct iphdr);
	p[1] = type_exists(struct tcx_not_in_kernel);
	p[2] = type_size(struct ipv6hdr);
	p[3] = type_size(struct __sk_buff);
	p[4] = type_matches(enum bpf_adj_room_mode);
	p[5] = type_matches(struct udphdr___wrong);
	p[6] = enum_value_exists(enum bpf_adj_room_mode, BPF_ADJ_ROOM_MAC);
	p[7] = enum_value(enum bpf_hdr_start_off, BPF_HDR_START_NET);
	p[8] = enum_value_exists(enum tcx_missing_enum, TCX_MISSING_A);
	p[9] = enum_value(enum tcx_action_base, TCX_REDIRECT);
	p[10] = field_size(skb->cb);
	p[11] = field_signed(((struct bpf_sock *)0)->rx_queue_mapping);
	p[12] = field_signed(skb->mark);
	p[13] = field_exists(skb->hwtstamp);
	p[14] = local_type_id(struct iphdr) != 0;
	p[15] = target_type_id(struct iphdr) != 0;
	p[16] = target_type_id(struct tcx_not_in_kernel) == 0;
	p[17] = field_offset(((struct bpf_fib_lookup *)0)->ipv4_dst);
	p[18] = field_offset(((struct bpf_tunnel_key *)0)->tunnel_ttl);
	p[19] = type_size(struct bpf_fib_lookup);
	return enum_value(enum tcx_action_base, TCX_NEXT);
}

LICENSE("GPL");
