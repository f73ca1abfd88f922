/* Old layouts (`___flavour` types) relocated onto the kernel's: a context struct whose fields
 * moved, a 64-bit local field over a 32-bit kernel one (the load is narrowed), an IPv4 header
 * with fields in another order, and guarded uses of a field and an enumerator no kernel has:
 * those instructions are poisoned and never reached. */
#include "core.h"

struct __sk_buff___old {
	__u32 mark;
	__u32 priority;
	__u32 tcx_removed_field;
	__u64 len;
} __attribute__((preserve_access_index));

struct iphdr___v2 {
	__be32 daddr;
	__u8 protocol;
	__u8 ttl;
	__be32 saddr;
} __attribute__((preserve_access_index));

enum bpf_adj_room_mode___v2 {
	BPF_ADJ_ROOM_NET___v2 = 0,
	BPF_ADJ_ROOM_MAC___v2 = 1,
	BPF_ADJ_ROOM_TCX_FUTURE___v2 = 7,
};

SEC("tc")
int flavors(struct __sk_buff *skb)
{
	struct __sk_buff___old *old = (void *)skb;
	__u32 result = old->mark + old->priority;
	__u64 len = old->len;

	if (field_exists(old->tcx_removed_field))
		result += old->tcx_removed_field;
	if (enum_value_exists(enum bpf_adj_room_mode___v2, BPF_ADJ_ROOM_TCX_FUTURE___v2))
		result += enum_value(enum bpf_adj_room_mode___v2, BPF_ADJ_ROOM_TCX_FUTURE___v2);
	result += enum_value(enum bpf_adj_room_mode___v2, BPF_ADJ_ROOM_MAC___v2) << 8;

	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP))
		return result + (len << 16);
	struct iphdr___v2 *ip = (void *)(eth + 1);
	if ((void *)ip + sizeof(struct iphdr) > data_end)
		return TC_ACT_SHOT;
	eth->h_dest[0] = ip->ttl;
	eth->h_dest[1] = ip->protocol;
	eth->h_dest[2] = ip->saddr >> 24;
	eth->h_dest[3] = ip->daddr >> 24;
	return result + (len << 16) + field_exists(ip->saddr) * 2;
}

LICENSE("GPL");
