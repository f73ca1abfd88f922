/* Records what a device filled into the skb when the frame reached the hook: slot 0 for a
 * frame received (ingress_ifindex set), slot 1 for one being sent. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) T *field
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct arrival {
	__u32 pkt_type, wire_len, len, protocol, vlan_present, vlan_tci, vlan_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct arrival);
} seen SEC(".maps");

SEC("tc") int record_arrival(struct __sk_buff *skb)
{
	__u32 slot = skb->ingress_ifindex ? 0 : 1;
	struct arrival *a = bpf_map_lookup_elem(&seen, &slot);

	if (!a)
		return 2;
	a->pkt_type = skb->pkt_type;
	a->wire_len = skb->wire_len;
	a->len = skb->len;
	a->protocol = skb->protocol;
	a->vlan_present = skb->vlan_present;
	a->vlan_tci = skb->vlan_tci;
	a->vlan_proto = skb->vlan_proto;
	return -1;
}

char LICENSE[] SEC("license") = "GPL";
