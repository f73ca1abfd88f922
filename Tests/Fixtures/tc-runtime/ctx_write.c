/* Writes every writable __sk_buff field from packet bytes 16.., reads them back into 64.. */
#include "tc.h"

SEC("tc") int ctx_write(struct __sk_buff *skb)
{
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 128 > e)
		return 1;
	u32 *in = d + 16;
	skb->mark = in[0];
	skb->priority = in[1];
	skb->tc_index = in[2];
	skb->tc_classid = in[3];
	skb->queue_mapping = in[4];
	skb->cb[0] = in[5];
	skb->cb[4] = in[6];
	skb->tstamp = ((u64)in[7] << 32) | in[8];
	u32 out[10] = { skb->mark, skb->priority, skb->tc_index, skb->tc_classid, skb->queue_mapping,
			skb->cb[0], skb->cb[4], (u32)(skb->tstamp >> 32), (u32)skb->tstamp, skb->cb[1] };
	d = (void *)(long)skb->data; e = (void *)(long)skb->data_end;
	if (d + 128 > e)
		return 1;
	__builtin_memcpy(d + 64, out, sizeof(out));
	return skb->mark & 0xff;
}
char _license[] SEC("license") = "GPL";
