/* Checksum helpers on inputs taken from the packet (bytes 16..). Results go to bytes 96.. */
#include "tc.h"

struct in { u16 sum; u16 pad; u32 from; u32 to; u32 seed; u32 a[4]; u32 b[4]; };

SEC("tc") int csum(struct __sk_buff *skb)
{
	void *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
	if (d + 160 > e)
		return 1;
	struct in v = *(struct in *)(d + 16);
	s64 r[12];
	/* the checksum field at 128 is rewritten by each call in turn */
	*(u16 *)(d + 128) = v.sum;
	r[0] = l3_csum_replace(skb, 128, v.from, v.to, 4);
	r[1] = l3_csum_replace(skb, 128, v.from & 0xffff, v.to & 0xffff, 2);
	r[2] = l3_csum_replace(skb, 128, 0, v.seed, 0);
	r[3] = l4_csum_replace(skb, 128, v.from, v.to, 4 | 0x10);
	r[4] = l4_csum_replace(skb, 128, v.from & 0xffff, v.to & 0xffff, 2 | 0x20);
	r[5] = l4_csum_replace(skb, 128, 0, v.seed, 0x20 | 0x40);
	r[6] = csum_diff(v.a, 16, v.b, 16, v.seed);
	r[7] = csum_diff(0, 0, v.b, 12, v.seed);
	r[8] = csum_diff(v.a, 8, 0, 0, v.seed);
	r[9] = csum_diff(v.a, 6, v.b, 10, 0);
	r[10] = l3_csum_replace(skb, 129, 0, 0, 0);
	r[11] = l4_csum_replace(skb, 128, 1, 0, 0);
	d = (void *)(long)skb->data; e = (void *)(long)skb->data_end;
	if (d + 160 > e)
		return 1;
	for (int i = 0; i < 12; i++)
		*(u32 *)(d + 32 + 4 * i) = (u32)r[i];
	return 0;
}
char _license[] SEC("license") = "GPL";
