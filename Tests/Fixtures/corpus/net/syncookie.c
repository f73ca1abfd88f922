/* Syncookie helpers on a listener found by sk_lookup_tcp: the IPv4 and TCP headers are copied
 * from the frame; the results of check and gen (with the header as is, with a short TCP length,
 * and on a header whose data offset disagrees) are written over the payload at offset 54. */
#include "net.h"

static long (*const tcp_check_syncookie)(void *sk, void *iph, __u32 iph_len, void *th, __u32 th_len) = (void *)100;
static long long (*const tcp_gen_syncookie)(void *sk, void *iph, __u32 iph_len, void *th, __u32 th_len) = (void *)110;

SEC("tc")
int cookies(struct __sk_buff *skb)
{
	__u8 ip[20], th[24];
	struct { __u32 saddr, daddr; __u16 sport, dport; } t;

	if (skb_load_bytes(skb, 14, ip, 20) < 0 || skb_load_bytes(skb, 34, th, 24) < 0)
		return -1;
	__builtin_memcpy(&t.saddr, &ip[12], 8);
	__builtin_memcpy(&t.sport, th, 4);
	struct bpf_sock *sk = sk_lookup_tcp(skb, &t, sizeof(t), CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	long long out[5];
	out[0] = tcp_check_syncookie(sk, ip, 20, th, 20);
	out[1] = tcp_check_syncookie(sk, ip, 20, th, 16);
	out[2] = tcp_gen_syncookie(sk, ip, 20, th, 20);
	out[3] = tcp_gen_syncookie(sk, ip, 20, th, 24);
	out[4] = tcp_gen_syncookie(sk, ip, 16, th, 20);
	sk_release(sk);
	skb_store_bytes(skb, 58, out, sizeof(out), 0);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
