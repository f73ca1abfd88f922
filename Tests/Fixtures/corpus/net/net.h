/* Types, section macro and the helpers the network-state programs call, by id.
 * Written for swift-tcx's corpus; not libbpf's header. */
#ifndef NET_H
#define NET_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;

#define SEC(name) __attribute__((section(name), used))

struct __sk_buff;

static long (*const skb_load_bytes)(struct __sk_buff *skb, __u32 off, void *to, __u32 len) = (void *)26;
static long (*const skb_store_bytes)(struct __sk_buff *skb, __u32 off, const void *from, __u32 len, __u64 flags) = (void *)9;
static long (*const fib_lookup)(void *ctx, void *params, int plen, __u32 flags) = (void *)69;
static long (*const redirect_neigh)(__u32 ifindex, void *params, int plen, __u64 flags) = (void *)152;
static long (*const check_mtu)(void *ctx, __u32 ifindex, __u32 *mtu_len, __s32 len_diff, __u64 flags) = (void *)163;

/* struct bpf_fib_lookup as raw words: the programs pass it through unchanged. */
struct fib_params {
	__u32 words[16];
};

struct redirect_hop {
	__u32 family;
	__u32 address[4];
};

struct bpf_sock {
	__u32 bound_dev_if, family, type, protocol, mark, priority;
	__u32 src_ip4;
	__u32 src_ip6[4];
	__u32 src_port;
	__u16 dst_port, dst_port_pad;
	__u32 dst_ip4;
	__u32 dst_ip6[4];
	__u32 state;
	__s32 rx_queue_mapping;
};

struct bpf_tcp_sock {
	__u32 snd_cwnd, srtt_us, rtt_min, snd_ssthresh, rcv_nxt, snd_nxt, snd_una, mss_cache;
	__u32 ecn_flags, rate_delivered, rate_interval_us, packets_out, retrans_out, total_retrans;
	__u32 segs_in, data_segs_in, segs_out, data_segs_out, lost_out, sacked_out;
	__u64 bytes_received, bytes_acked;
	__u32 dsack_dups, delivered, delivered_ce, icsk_retransmits;
};

static struct bpf_sock *(*const sk_lookup_tcp)(void *ctx, void *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)84;
static struct bpf_sock *(*const sk_lookup_udp)(void *ctx, void *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)85;
static long (*const sk_release)(void *sk) = (void *)86;
static struct bpf_sock *(*const sk_fullsock)(struct bpf_sock *sk) = (void *)95;
static struct bpf_tcp_sock *(*const tcp_sock)(struct bpf_sock *sk) = (void *)96;
static struct bpf_sock *(*const get_listener_sock)(struct bpf_sock *sk) = (void *)98;
static struct bpf_sock *(*const skc_lookup_tcp)(void *ctx, void *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)99;
static long (*const sk_assign)(void *ctx, void *sk, __u64 flags) = (void *)124;

#define CURRENT_NETNS ((__u64)-1)

#endif
