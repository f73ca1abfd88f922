/* An IPv6 parser in the style of modern tc programs: the extension header chain walked with a
 * bounded open-coded loop over skb dynptr slices at a moving offset. Returns the upper-layer
 * protocol; the headers walked and the L4 offset go to the packet's last two bytes. */
#include "kfuncs.h"
#include <linux/ipv6.h>

#define MAX_EXTENSIONS 6

struct ext_head {
	__u8 next;
	__u8 length; /* in 8-byte units, not counting the first 8 (fragment: reserved) */
};

static __always_inline int is_extension(__u8 proto)
{
	return proto == 0 /* hop-by-hop */ || proto == 43 /* routing */ || proto == 44 /* fragment */ ||
	       proto == 60 /* destination options */;
}

SEC("tc")
int ipv6_ext(struct __sk_buff *skb)
{
	struct bpf_dynptr pkt;
	struct ethhdr eth_buf;
	struct ipv6hdr ip_buf;
	struct ext_head head_buf;
	__u32 offset = sizeof(struct ethhdr) + sizeof(struct ipv6hdr);
	__u8 proto, walked = 0;
	int i;

	if (bpf_dynptr_from_skb(skb, 0, &pkt))
		return -1;
	struct ethhdr *eth = bpf_dynptr_slice(&pkt, 0, &eth_buf, sizeof(eth_buf));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return -2;
	struct ipv6hdr *ip = bpf_dynptr_slice(&pkt, sizeof(*eth), &ip_buf, sizeof(ip_buf));
	if (!ip)
		return -3;
	proto = ip->nexthdr;
	each_number(i, 0, MAX_EXTENSIONS) {
		if (!is_extension(proto))
			break;
		struct ext_head *head = bpf_dynptr_slice(&pkt, offset, &head_buf, sizeof(head_buf));
		if (!head)
			return -4;
		offset += proto == 44 ? 8 : (head->length + 1) * 8;
		proto = head->next;
		walked++;
	}
	if (is_extension(proto))
		return -5;
	__u8 out[2] = { walked, offset };
	__u32 size = bpf_dynptr_size(&pkt);
	if (size >= 2 && bpf_dynptr_write(&pkt, size - 2, out, sizeof(out), 0))
		return -6;
	return proto;
}

char _license[] SEC("license") = "GPL";
