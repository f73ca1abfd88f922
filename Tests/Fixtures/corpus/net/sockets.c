/* Socket lookups against the sockets a script opened with `listen`. The tuple comes from the
 * frame's own IPv4 (or IPv6) header and ports, as a socket-steering program builds it; what
 * the lookup found is written over the frame's payload (offset 42 for IPv4, 62 for IPv6) and
 * the program returns 1 when it found a socket, 0 when not. */
#include "net.h"

struct tuple4 { __u32 saddr, daddr; __u16 sport, dport; };
struct tuple6 { __u32 saddr[4], daddr[4]; __u16 sport, dport; };

static int tuple4_of(struct __sk_buff *skb, struct tuple4 *t)
{
	if (skb_load_bytes(skb, 26, &t->saddr, 8) < 0)
		return -1;
	return skb_load_bytes(skb, 34, &t->sport, 4) < 0 ? -1 : 0;
}

static void report(struct __sk_buff *skb, __u32 offset, struct bpf_sock *sk)
{
	__u32 out[8] = { sk->family, sk->type, sk->protocol, sk->src_ip4, sk->src_port,
			 sk->dst_port, sk->state, (__u32)sk->rx_queue_mapping };
	skb_store_bytes(skb, offset, out, sizeof(out), 0);
}

SEC("tc")
int tcp4(struct __sk_buff *skb)
{
	struct tuple4 t;

	if (tuple4_of(skb, &t) < 0)
		return -1;
	struct bpf_sock *sk = sk_lookup_tcp(skb, &t, sizeof(t), CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	report(skb, 42, sk);
	sk_release(sk);
	return 1;
}

SEC("tc")
int udp4(struct __sk_buff *skb)
{
	struct tuple4 t;

	if (tuple4_of(skb, &t) < 0)
		return -1;
	struct bpf_sock *sk = sk_lookup_udp(skb, &t, sizeof(t), CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	report(skb, 42, sk);
	sk_release(sk);
	return 1;
}

SEC("tc")
int tcp6(struct __sk_buff *skb)
{
	struct tuple6 t;

	if (skb_load_bytes(skb, 22, t.saddr, 32) < 0 || skb_load_bytes(skb, 54, &t.sport, 4) < 0)
		return -1;
	struct bpf_sock *sk = sk_lookup_tcp(skb, &t, sizeof(t), CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	__u32 out[9] = { sk->family, sk->type, sk->protocol, sk->src_ip6[0], sk->src_ip6[3],
			 sk->src_port, sk->state, sk->src_ip4, 0 };
	skb_store_bytes(skb, 62, out, sizeof(out), 0);
	sk_release(sk);
	return 1;
}

/* skc lookup, then the narrowing helpers: full socket, listener, TCP view. */
SEC("tc")
int skc4(struct __sk_buff *skb)
{
	struct tuple4 t;

	if (tuple4_of(skb, &t) < 0)
		return -1;
	struct bpf_sock *skc = skc_lookup_tcp(skb, &t, sizeof(t), CURRENT_NETNS, 0);
	if (!skc)
		return 0;
	int result = 1;
	struct bpf_sock *full = sk_fullsock(skc);
	if (full)
		result |= 2;
	struct bpf_sock *listener = full ? get_listener_sock(full) : 0;
	if (listener)
		result |= 4;
	struct bpf_tcp_sock *tp = full ? tcp_sock(full) : 0;
	if (tp) {
		__u32 out[10] = { tp->snd_cwnd, tp->srtt_us, tp->rtt_min, tp->snd_ssthresh, tp->rcv_nxt,
				  tp->mss_cache, tp->packets_out, tp->segs_in, tp->delivered, tp->icsk_retransmits };
		skb_store_bytes(skb, 42, out, sizeof(out), 0);
		result |= 8;
	}
	sk_release(skc);
	return result;
}

/* The refusals: flags, another namespace id, a tuple of the wrong size give no socket;
 * sk_assign outside tc ingress and with flags; the skb's own socket is a full one. */
SEC("tc")
int odd4(struct __sk_buff *skb)
{
	struct tuple4 t;
	int result = 0;

	if (tuple4_of(skb, &t) < 0)
		return -1;
	struct bpf_sock *a = sk_lookup_tcp(skb, &t, sizeof(t), CURRENT_NETNS, 1);
	if (a) { result |= 1; sk_release(a); }
	struct bpf_sock *b = sk_lookup_tcp(skb, &t, sizeof(t), 0, 0);
	if (b) { result |= 2; sk_release(b); }
	struct bpf_sock *c = sk_lookup_tcp(skb, &t, sizeof(t) - 4, CURRENT_NETNS, 0);
	if (c) { result |= 4; sk_release(c); }
	struct bpf_sock *d = sk_lookup_tcp(skb, &t, sizeof(t), CURRENT_NETNS, 0);
	if (d) {
		long assigned = sk_assign(skb, d, 0);
		long flagged = sk_assign(skb, d, 1);
		__u32 out[2] = { (__u32)assigned, (__u32)flagged };
		skb_store_bytes(skb, 42, out, sizeof(out), 0);
		result |= 8;
		sk_release(d);
	}
	struct bpf_sock *own = *(struct bpf_sock **)((char *)skb + 168);
	if (own && sk_fullsock(own))
		result |= 16;
	return result;
}

char LICENSE[] SEC("license") = "GPL";
