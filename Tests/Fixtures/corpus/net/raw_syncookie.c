/* Raw SYN cookies (no listener) for IPv4 (raw4) and IPv6 (raw6). The frame's IP header and
 * its first 28 TCP bytes are copied out; a cookie is generated with TCP lengths 20, 24, 28
 * and 16 (only the one that matches the data offset is valid), then the ACK a client would
 * send back is built from the SYN and checked, once as is and once with the cookie off by one.
 * The cookie itself is keyed by a secret, so each gen result is reported as its MSS (the top
 * half) or its error; the results are written after the copied bytes. */
#include "net.h"

static long long (*const raw_gen4)(void *iph, void *th, __u32 th_len) = (void *)204;
static long long (*const raw_gen6)(void *iph, void *th, __u32 th_len) = (void *)205;
static long (*const raw_check4)(void *iph, void *th) = (void *)206;
static long (*const raw_check6)(void *iph, void *th) = (void *)207;

struct tcp_words {
	__u32 ports, seq, ack_seq;
	__u8 offset, flags;
	__u16 window, check, urgent;
	__u8 options[8];
};

static __u32 swap32(__u32 v)
{
	return __builtin_bswap32(v);
}

static long long mss_or_error(long long generated)
{
	return generated < 0 ? generated : generated >> 32;
}

/* The first non-negative result's cookie, or 0. */
static __u32 cookie_of(long long *results)
{
	for (int i = 0; i < 3; i++)
		if (results[i] >= 0)
			return (__u32)results[i];
	return 0;
}

static void ack_for(struct tcp_words *ack, struct tcp_words *syn, __u32 cookie)
{
	*ack = *syn;
	ack->seq = swap32(swap32(syn->seq) + 1);
	ack->ack_seq = swap32(cookie + 1);
	ack->offset = 0x50;
	ack->flags = 0x10;
}

/* The cookies of the frame's SYN: an IPv4 or IPv6 header of ip_len bytes after Ethernet. */
static inline __attribute__((always_inline)) int cookies(struct __sk_buff *skb, __u32 ip_len, int v6)
{
	__u8 ip[40];
	struct tcp_words th, ack;
	long long out[6];
	__u32 tcp_at = 14 + ip_len;

	if (skb_load_bytes(skb, 14, ip, ip_len) < 0 || skb_load_bytes(skb, tcp_at, &th, sizeof(th)) < 0)
		return -1;
	out[0] = v6 ? raw_gen6(ip, &th, 20) : raw_gen4(ip, &th, 20);
	out[1] = v6 ? raw_gen6(ip, &th, 24) : raw_gen4(ip, &th, 24);
	out[2] = v6 ? raw_gen6(ip, &th, 28) : raw_gen4(ip, &th, 28);
	out[3] = v6 ? raw_gen6(ip, &th, 16) : raw_gen4(ip, &th, 16);
	__u32 cookie = cookie_of(out);
	ack_for(&ack, &th, cookie);
	out[4] = v6 ? raw_check6(ip, &ack) : raw_check4(ip, &ack);
	ack.ack_seq = swap32(cookie + 2);
	out[5] = v6 ? raw_check6(ip, &ack) : raw_check4(ip, &ack);
	for (int i = 0; i < 4; i++)
		out[i] = mss_or_error(out[i]);
	skb_store_bytes(skb, tcp_at + sizeof(th), out, sizeof(out), 0);
	return 1;
}

SEC("tc")
int raw4(struct __sk_buff *skb)
{
	return cookies(skb, 20, 0);
}

SEC("tc")
int raw6(struct __sk_buff *skb)
{
	return cookies(skb, 40, 1);
}

char LICENSE[] SEC("license") = "GPL";
