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

#endif
