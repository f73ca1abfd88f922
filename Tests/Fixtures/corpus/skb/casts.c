/* Socket casts on the socket a test-run gives every skb (a socket of no family and protocol):
 * each cast that returns a socket sets one bit of the result; 0x80 when the skb had none. */
#include "skb_helpers.h"

static void *(*bpf_skc_to_tcp6_sock)(void *sk) = (void *)136;
static void *(*bpf_skc_to_tcp_sock)(void *sk) = (void *)137;
static void *(*bpf_skc_to_tcp_timewait_sock)(void *sk) = (void *)138;
static void *(*bpf_skc_to_tcp_request_sock)(void *sk) = (void *)139;
static void *(*bpf_skc_to_udp6_sock)(void *sk) = (void *)140;
static void *(*bpf_skc_to_unix_sock)(void *sk) = (void *)178;
static void *(*bpf_skc_to_mptcp_sock)(void *sk) = (void *)196;

SEC("tc")
int casts(struct __sk_buff *skb)
{
	void *sk = skb->sk;
	int bits = 0;

	if (!sk)
		return 0x80;
	bits |= bpf_skc_to_tcp6_sock(sk) ? 1 : 0;
	bits |= bpf_skc_to_tcp_sock(sk) ? 2 : 0;
	bits |= bpf_skc_to_tcp_timewait_sock(sk) ? 4 : 0;
	bits |= bpf_skc_to_tcp_request_sock(sk) ? 8 : 0;
	bits |= bpf_skc_to_udp6_sock(sk) ? 16 : 0;
	bits |= bpf_skc_to_unix_sock(sk) ? 32 : 0;
	bits |= bpf_skc_to_mptcp_sock(sk) ? 64 : 0;
	return bits;
}

char _license[] SEC("license") = "GPL";
