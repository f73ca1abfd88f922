/* skb dynptrs: headers parsed through slices, a TTL decremented with dynptr_write, the
 * payload reached by adjusting a clone, dynptr_read and dynptr_write on the skb. The return
 * value says how far it got; results are written to the UDP payload. */
#include "kfuncs.h"

struct result {
	__u32 size;      /* bpf_dynptr_size of the whole packet */
	__u32 payload;   /* the payload's size through the adjusted clone */
	__u8 first;      /* its first byte through a slice of the clone */
	__u8 flags;      /* is_null, is_rdonly of the original */
	__u8 errors[6];  /* low bytes of -errno of the refused calls */
};

SEC("tc")
int dynptr_parse(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr, payload, bad;
	struct ethhdr eth_buf;
	struct iphdr ip_buf;
	struct udphdr udp_buf;
	struct result res = {};
	__u8 byte_buf[1];

	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return 1;
	res.size = bpf_dynptr_size(&ptr);
	res.flags = bpf_dynptr_is_null(&ptr) | bpf_dynptr_is_rdonly(&ptr) << 1;
	res.errors[0] = -bpf_dynptr_from_skb(skb, 1, &bad);
	res.flags |= bpf_dynptr_is_null(&bad) << 2;
	res.errors[1] = -(int)bpf_dynptr_size(&bad);

	struct ethhdr *eth = bpf_dynptr_slice(&ptr, 0, &eth_buf, sizeof(eth_buf));
	if (!eth)
		return 2;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return 3;
	struct iphdr *ip = bpf_dynptr_slice(&ptr, sizeof(*eth), &ip_buf, sizeof(ip_buf));
	if (!ip)
		return 4;
	if (ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
		return 5;
	if (ip->ttl <= 1)
		return 6;
	__u8 ttl = ip->ttl - 1; /* the checksum is left for the test to see the write alone */
	if (bpf_dynptr_write(&ptr, sizeof(*eth) + 8, &ttl, 1, 0))
		return 13;
	struct udphdr *udp = bpf_dynptr_slice(&ptr, sizeof(*eth) + sizeof(*ip), &udp_buf, sizeof(udp_buf));
	if (!udp)
		return 7;

	__u32 start = sizeof(*eth) + sizeof(*ip) + sizeof(*udp);
	if (bpf_dynptr_clone(&ptr, &payload))
		return 8;
	res.errors[2] = -bpf_dynptr_adjust(&payload, 10, 5);
	res.errors[3] = -bpf_dynptr_adjust(&payload, 0, res.size + 1);
	if (bpf_dynptr_adjust(&payload, start, res.size))
		return 9;
	res.payload = bpf_dynptr_size(&payload);
	__u8 *first = bpf_dynptr_slice(&payload, 0, byte_buf, 1);
	res.first = first ? *first : 0xee;
	/* A slice past the end is NULL; a read past it is E2BIG. */
	if (bpf_dynptr_slice(&payload, res.payload, byte_buf, 1))
		return 10;
	res.errors[4] = -bpf_dynptr_read(byte_buf, 1, &payload, res.payload, 0);
	res.errors[5] = -bpf_dynptr_write(&payload, 0, &res, sizeof(res), 0xf0);
	if (res.payload < sizeof(res))
		return 11;
	if (bpf_dynptr_write(&payload, 0, &res, sizeof(res), 0))
		return 12;
	return 0;
}

char _license[] SEC("license") = "GPL";
