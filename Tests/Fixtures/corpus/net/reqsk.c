/* Sockets from the lookups seen through the bpf_skc_to_* casts, and bpf_sk_assign_tcp_reqsk (the
 * custom SYN cookie kfunc). The frame is an Ethernet + IPv4 or IPv6 + TCP or UDP packet; its own
 * addresses and ports are the lookup's tuple (a TCP frame looks up with bpf_skc_lookup_tcp, a UDP
 * frame with bpf_sk_lookup_udp). The program returns 0 when nothing was found, else 1, and writes
 * what it saw at PAYLOAD (74: after the largest headers, 14 + 40 + 20, whatever the frame).
 *   casts:  u32 mask of the non-NULL casts (bit 0 tcp6 (136), 1 tcp (137), 2 timewait (138),
 *           3 request (139), 4 udp6 (140), 5 unix (178), 6 mptcp (196), 7 bpf_sk_fullsock),
 *           then what a socket cast shows of struct sock (family, state, num, protocol, type,
 *           max_ack_backlog) and of struct tcp_sock (snd_cwnd, mss_cache, snd_ssthresh).
 *   view_casts: bpf_skc_to_tcp_sock of bpf_tcp_sock's view of the socket (see below).
 *   reqsk:  bpf_sk_assign_tcp_reqsk(skb, tcp cast, attrs, size): the 20 attribute bytes and the
 *           size (a byte, at most 31) are read from PAYLOAD; the result is written at PAYLOAD + 24
 *           and kept in reqsk_result. */
#include "net.h"

/* Complete, not the header's forward declaration: libbpf-style prototype checks take a struct
 * and a forward declaration for different kinds. */
struct __sk_buff {
	__u32 len;
};

#define __ksym __attribute__((section(".ksyms")))
#define CORE __attribute__((preserve_access_index))
#define PAYLOAD 74

struct sock_tuple4 { __u32 saddr, daddr; __u16 sport, dport; };
struct sock_tuple6 { __u32 saddr[4], daddr[4]; __u16 sport, dport; };

struct sock_common {
	unsigned short skc_family;
	volatile unsigned char skc_state;
	__u16 skc_num;
} CORE;

struct sock {
	struct sock_common __sk_common;
	__u16 sk_type;
	__u16 sk_protocol;
	__u32 sk_max_ack_backlog;
} CORE;

struct tcp_sock {
	__u32 snd_cwnd;
	__u32 mss_cache;
	__u32 snd_ssthresh;
} CORE;

struct bpf_tcp_req_attrs {
	__u32 rcv_tsval;
	__u32 rcv_tsecr;
	__u16 mss;
	__u8 rcv_wscale;
	__u8 snd_wscale;
	__u8 ecn_ok;
	__u8 wscale_ok;
	__u8 sack_ok;
	__u8 tstamp_ok;
	__u8 reserved[3];
};

static void *(*const skc_to_tcp6_sock)(void *sk) = (void *)136;
static struct tcp_sock *(*const skc_to_tcp_sock)(void *sk) = (void *)137;
static void *(*const skc_to_tcp_timewait_sock)(void *sk) = (void *)138;
static void *(*const skc_to_tcp_request_sock)(void *sk) = (void *)139;
static struct sock *(*const skc_to_udp6_sock)(void *sk) = (void *)140;
static void *(*const skc_to_unix_sock)(void *sk) = (void *)178;
static void *(*const skc_to_mptcp_sock)(void *sk) = (void *)196;

/* The last bpf_sk_assign_tcp_reqsk result, for runs whose packet nobody prints (tc ingress). */
struct {
	int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
	int (*max_entries)[1];
	__u32 *key;
	__s32 *value;
} reqsk_result SEC(".maps");

static long (*const map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;

extern int bpf_sk_assign_tcp_reqsk(struct __sk_buff *skb, struct sock *sk, struct bpf_tcp_req_attrs *attrs,
				   int attrs__sz) __ksym;

/* Looks the frame's own tuple up: TCP with skc_lookup_tcp, UDP with sk_lookup_udp. */
static struct bpf_sock *lookup(struct __sk_buff *skb, int *tcp)
{
	__u16 proto;
	__u8 l4;
	if (skb_load_bytes(skb, 12, &proto, 2) < 0)
		return 0;
	if (proto == 0x0008) {
		struct sock_tuple4 t;
		if (skb_load_bytes(skb, 23, &l4, 1) < 0 || skb_load_bytes(skb, 26, &t, 12) < 0)
			return 0;
		*tcp = l4 == 6;
		return l4 == 6 ? skc_lookup_tcp(skb, &t, sizeof(t), -1, 0) : sk_lookup_udp(skb, &t, sizeof(t), -1, 0);
	}
	if (proto == 0xdd86) {
		struct sock_tuple6 t;
		if (skb_load_bytes(skb, 20, &l4, 1) < 0 || skb_load_bytes(skb, 22, &t, 36) < 0)
			return 0;
		*tcp = l4 == 6;
		return l4 == 6 ? skc_lookup_tcp(skb, &t, sizeof(t), -1, 0) : sk_lookup_udp(skb, &t, sizeof(t), -1, 0);
	}
	return 0;
}

static void show(struct sock *sk, __u32 *out)
{
	out[1] = sk->__sk_common.skc_family;
	out[2] = sk->__sk_common.skc_state;
	out[3] = sk->__sk_common.skc_num;
	out[4] = sk->sk_protocol;
	out[5] = sk->sk_type;
	out[6] = sk->sk_max_ack_backlog;
}

SEC("tc")
int casts(struct __sk_buff *skb)
{
	__u32 out[10] = {};
	struct tcp_sock *tp;
	struct sock *udp;
	int tcp = 0;
	struct bpf_sock *sk = lookup(skb, &tcp);
	if (!sk)
		return 0;
	out[0] = (skc_to_tcp6_sock(sk) ? 1 : 0) | (skc_to_tcp_timewait_sock(sk) ? 4 : 0) |
		 (skc_to_tcp_request_sock(sk) ? 8 : 0) | (skc_to_unix_sock(sk) ? 32 : 0) |
		 (skc_to_mptcp_sock(sk) ? 64 : 0) | (sk_fullsock(sk) ? 128 : 0);
	tp = skc_to_tcp_sock(sk);
	udp = skc_to_udp6_sock(sk);
	if (tp) {
		out[0] |= 2;
		show((struct sock *)tp, out);
		out[7] = tp->snd_cwnd;
		out[8] = tp->mss_cache;
		out[9] = tp->snd_ssthresh;
	}
	if (udp) {
		out[0] |= 16;
		show(udp, out);
	}
	skb_store_bytes(skb, PAYLOAD, out, sizeof(out), 0);
	sk_release(sk);
	return 1;
}

/* bpf_tcp_sock's view of a socket cast back to struct tcp_sock: out[0] 1 when the cast succeeded,
 * out[1] its snd_cwnd. */
SEC("tc")
int view_casts(struct __sk_buff *skb)
{
	__u32 out[2] = {};
	int tcp = 0;
	struct bpf_sock *sk = lookup(skb, &tcp), *full;
	struct bpf_tcp_sock *view;
	struct tcp_sock *tp;
	if (!sk)
		return 0;
	full = sk_fullsock(sk);
	view = full ? tcp_sock(full) : 0;
	tp = view ? skc_to_tcp_sock(view) : 0;
	if (tp) {
		out[0] = 1;
		out[1] = tp->snd_cwnd;
	}
	skb_store_bytes(skb, PAYLOAD, out, sizeof(out), 0);
	sk_release(sk);
	return 1;
}

SEC("tc")
int reqsk(struct __sk_buff *skb)
{
	struct bpf_tcp_req_attrs attrs[2] = {};
	struct tcp_sock *tp;
	__u8 size = 0;
	__u32 zero = 0;
	int tcp = 0, result = -1000;
	struct bpf_sock *sk = lookup(skb, &tcp);
	if (!sk)
		return 0;
	if (skb_load_bytes(skb, PAYLOAD, attrs, 20) < 0 || skb_load_bytes(skb, PAYLOAD + 20, &size, 1) < 0) {
		sk_release(sk);
		return 2;
	}
	tp = skc_to_tcp_sock(sk);
	if (tp)
		result = bpf_sk_assign_tcp_reqsk(skb, (struct sock *)tp, attrs, size & 31);
	skb_store_bytes(skb, PAYLOAD + 24, &result, 4, 0);
	map_update_elem(&reqsk_result, &zero, &result, 0);
	sk_release(sk);
	return 1;
}

char _license[] SEC("license") = "GPL";
