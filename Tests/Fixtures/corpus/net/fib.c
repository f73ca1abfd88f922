/* A FIB probe and a small forwarder.
 *
 * fib_probe: the frame carries, after its Ethernet header, a struct bpf_fib_lookup (64 bytes)
 * then the lookup's flags and params length (two 32-bit words). The program runs the lookup
 * and writes the struct back where it was, so the output shows every field the kernel wrote;
 * it returns the lookup's result.
 *
 * fib_forward: an IPv4 forwarder as routers write it: look the destination up from the frame's
 * own header, rewrite the MACs on success and redirect, pass anything it cannot forward. */
#include "net.h"

SEC("tc")
int fib_probe(struct __sk_buff *skb)
{
	struct fib_params params;
	__u32 tail[2];

	if (skb_load_bytes(skb, 14, &params, sizeof(params)) < 0)
		return -100;
	if (skb_load_bytes(skb, 14 + sizeof(params), tail, sizeof(tail)) < 0)
		return -101;
	/* The size must be a constant the verifier can check against the buffer. */
	long rc = tail[1] == 63 ? fib_lookup(skb, &params, 63, tail[0])
				: fib_lookup(skb, &params, sizeof(params), tail[0]);
	skb_store_bytes(skb, 14, &params, sizeof(params), 0);
	return (int)rc;
}

struct ipv4_header {
	__u8 version_ihl, tos;
	__u16 total_length, id, fragment;
	__u8 ttl, protocol;
	__u16 checksum;
	__u32 source, destination;
};

SEC("tc")
int fib_forward(struct __sk_buff *skb)
{
	struct ipv4_header ip;
	__u8 macs[12];
	__u8 params[64] = {};

	if (skb_load_bytes(skb, 14, &ip, sizeof(ip)) < 0)
		return 0;
	params[0] = 2;                               /* AF_INET */
	params[1] = ip.protocol;
	*(__u16 *)&params[6] = __builtin_bswap16(ip.total_length);
	*(__u32 *)&params[8] = *(__u32 *)((char *)skb + 40);   /* skb->ifindex */
	params[12] = ip.tos;
	*(__u32 *)&params[16] = ip.source;
	*(__u32 *)&params[32] = ip.destination;
	long rc = fib_lookup(skb, params, sizeof(params), 0);
	if (rc != 0)
		return 0;                                /* TC_ACT_OK: let the stack decide */
	for (int i = 0; i < 6; i++) {
		macs[i] = params[58 + i];                /* dmac */
		macs[6 + i] = params[52 + i];            /* smac */
	}
	skb_store_bytes(skb, 0, macs, sizeof(macs), 0);
	return 7;                                    /* TC_ACT_REDIRECT (needs a redirect call to move) */
}

char LICENSE[] SEC("license") = "GPL";
