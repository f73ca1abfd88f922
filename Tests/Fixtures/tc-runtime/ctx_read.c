/* Every readable __sk_buff field, written into the packet from byte 16 on (4 bytes each, host order). */
#include "tc.h"

SEC("tc") int ctx_read(struct __sk_buff *skb)
{
	u32 v[32];
	int i = 0;
	v[i++] = skb->len; v[i++] = skb->pkt_type; v[i++] = skb->mark; v[i++] = skb->queue_mapping;
	v[i++] = skb->protocol; v[i++] = skb->vlan_present; v[i++] = skb->vlan_tci; v[i++] = skb->vlan_proto;
	v[i++] = skb->priority; v[i++] = skb->ingress_ifindex; v[i++] = skb->ifindex; v[i++] = skb->tc_index;
	v[i++] = skb->cb[0]; v[i++] = skb->cb[4]; v[i++] = skb->hash; v[i++] = skb->tc_classid;
	v[i++] = skb->napi_id; v[i++] = (u32)skb->tstamp; v[i++] = skb->wire_len; v[i++] = skb->gso_segs;
	v[i++] = skb->gso_size; v[i++] = skb->tstamp_type; v[i++] = (u32)skb->hwtstamp;
	v[i++] = skb->data_end - skb->data; v[i++] = skb->data - skb->data_meta; v[i++] = skb->sk != 0;
	/* narrow loads: the second byte of len, the low half of protocol */
	v[i++] = *((u8 *)&skb->len + 1); v[i++] = *(u16 *)&skb->protocol;
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 16 + sizeof(v) > e)
		return 1;
	__builtin_memcpy(d + 16, v, sizeof(v));
	return 0;
}
char _license[] SEC("license") = "GPL";
