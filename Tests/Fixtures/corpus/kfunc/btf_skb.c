/* The kernel's sk_buff seen through BTF pointers: bpf_cast_to_kern_ctx on the context, and
 * bpf_rdonly_cast of kernel and program memory. Each program writes what it read into the
 * packet after the Ethernet header, so a test-run's output packet shows every value. */
#include "kfuncs.h"
#include <bpf/bpf_core_read.h>

/* The members read here, as CO-RE finds them in the kernel's struct sk_buff whatever the
 * layout; the order and nesting below are ours. */
struct net_device {
	int ifindex;
	unsigned int mtu;
	char name[16];
} __attribute__((preserve_access_index));

struct in6_addr___kern {
	union {
		__u32 u6_addr32[4];
	} in6_u;
} __attribute__((preserve_access_index));

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	unsigned short skc_family;
	struct in6_addr___kern skc_v6_daddr;
	struct in6_addr___kern skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned int len;
	unsigned int data_len;
	__u16 mac_len;
	__u16 hdr_len;
	__u16 queue_mapping;
	__u8 pkt_type : 3;
	__u8 ip_summed : 2;
	__u8 tstamp_type : 2;
	__u8 csum_level : 2;
	__u8 l4_hash : 1;
	__u8 sw_hash : 1;
	__u8 encapsulation : 1;
	__u16 tc_index;
	__u32 priority;
	int skb_iif;
	__u32 hash;
	__be16 vlan_proto;
	__u16 vlan_tci;
	__u32 mark;
	__u16 csum_start;
	__u16 csum_offset;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	unsigned int tail;
	unsigned int end;
	unsigned char *head;
	unsigned char *data;
	__s64 tstamp;
	struct net_device *dev;
	struct sock *sk;
} __attribute__((preserve_access_index));

struct ethhdr___kern {
	unsigned char h_dest[6];
	unsigned char h_source[6];
	__be16 h_proto;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

#define KERNEL_TYPE_ID(type) bpf_core_type_id_kernel(type)

/* Words written after the Ethernet header. */
#define WORDS 28

static __always_inline int put(struct __sk_buff *skb, __u32 *words, int count)
{
	return bpf_skb_store_bytes(skb, ETH_HLEN, words, count * 4, 0);
}

/* Every field above, after the program set mark and priority through __sk_buff. */
SEC("tc")
int skb_fields(struct __sk_buff *skb)
{
	__u32 w[WORDS] = {};
	struct sk_buff *k;

	skb->mark = 0x1234;
	skb->priority = 7;
	k = bpf_cast_to_kern_ctx(skb);
	w[0] = k->len;
	w[1] = k->data_len;
	w[2] = k->mac_len;
	w[3] = k->hdr_len;
	w[4] = k->queue_mapping;
	w[5] = BPF_CORE_READ_BITFIELD(k, pkt_type);
	w[6] = BPF_CORE_READ_BITFIELD(k, ip_summed);
	w[7] = BPF_CORE_READ_BITFIELD(k, csum_level);
	w[8] = k->tc_index;
	w[9] = k->priority;
	w[10] = k->skb_iif;
	w[11] = k->hash;
	w[12] = k->vlan_proto;
	w[13] = k->vlan_tci;
	w[14] = k->mark;
	w[15] = k->csum_start;
	w[16] = k->csum_offset;
	w[17] = k->protocol;
	w[18] = k->transport_header;
	w[19] = k->network_header;
	w[20] = k->mac_header;
	w[21] = k->tail;
	w[22] = k->end;
	w[23] = k->data - k->head;
	w[24] = (__u32)k->tstamp;
	w[25] = BPF_CORE_READ_BITFIELD(k, l4_hash) | BPF_CORE_READ_BITFIELD(k, sw_hash) << 1 |
		BPF_CORE_READ_BITFIELD(k, encapsulation) << 2 | BPF_CORE_READ_BITFIELD(k, tstamp_type) << 3;
	w[26] = k->dev != 0;
	w[27] = skb->len == k->len && skb->protocol == k->protocol;
	return put(skb, w, WORDS);
}

/* What helpers and context stores change shows through a pointer taken before them: a hash
 * set, a VLAN pushed, the packet grown, the mark stored through __sk_buff. */
SEC("tc")
int skb_after_helpers(struct __sk_buff *skb)
{
	__u32 w[11] = {};
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	__u32 before = k->len;

	bpf_set_hash(skb, 0xabcd);
	if (bpf_skb_vlan_push(skb, bpf_htons(0x8100), 42))
		return 1;
	if (bpf_skb_change_tail(skb, before + 20, 0))
		return 2;
	skb->mark = 0x77;
	w[0] = k->hash;
	w[1] = BPF_CORE_READ_BITFIELD(k, sw_hash);
	w[2] = k->vlan_tci;
	w[3] = k->vlan_proto;
	w[4] = k->len;
	w[5] = k->data - k->head;
	w[6] = k->mac_header;
	w[7] = k->network_header;
	w[8] = k->tail;
	w[9] = k->mark;
	w[10] = before;
	return put(skb, w, 11);
}

/* bpf_rdonly_cast: the kernel skb seen again, a stack copy of the Ethernet header seen as the
 * kernel's struct ethhdr, an address nothing is mapped at (reads give 0), and void. */
SEC("tc")
int rdonly(struct __sk_buff *skb)
{
	__u32 w[8] = {};
	struct ethhdr___kern copy = {};
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	struct sk_buff *again = bpf_rdonly_cast(k, KERNEL_TYPE_ID(struct sk_buff));
	struct ethhdr___kern *eth;
	struct sk_buff *nowhere;
	__u8 *bytes;

	if (bpf_skb_load_bytes(skb, 0, &copy, sizeof(copy)))
		return 1;
	eth = bpf_rdonly_cast(&copy, KERNEL_TYPE_ID(struct ethhdr___kern));
	nowhere = bpf_rdonly_cast((void *)0x10, KERNEL_TYPE_ID(struct sk_buff));
	bytes = bpf_rdonly_cast(&copy, 0);
	w[0] = again->len;
	w[1] = again->protocol;
	w[2] = eth->h_proto;
	w[3] = eth->h_source[5];
	w[4] = nowhere->len;
	w[5] = nowhere->mark | nowhere->hash;
	w[6] = bytes[12] << 8 | bytes[13];
	w[7] = again->dev != 0;
	return put(skb, w, 8);
}

/* A pointer read from a pointer: skb->dev, and the device's ifindex through it. */
SEC("tc")
int device(struct __sk_buff *skb)
{
	__u32 w[7] = {};
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	struct net_device *dev = k->dev;

	w[0] = skb->ifindex;
	w[1] = dev ? dev->ifindex : 0xffffffff;
	if (dev) {
		w[2] = dev->mtu;
		for (int i = 0; i < 4; i++)
			w[3 + i] = ((__u32 *)dev->name)[i];
	}
	return put(skb, w, 7);
}

/* bpf_rdonly_cast of the context itself: in the kernel the context is the sk_buff. */
SEC("tc")
int rdonly_context(struct __sk_buff *skb)
{
	__u32 w[4] = {};
	struct sk_buff *k;

	skb->mark = 0x4242;
	k = bpf_rdonly_cast(skb, KERNEL_TYPE_ID(struct sk_buff));
	w[0] = k->len;
	w[1] = k->protocol;
	w[2] = k->mark;
	w[3] = k->data - k->head;
	return put(skb, w, 4);
}

/* The socket test-run gives the skb, through skb->sk: its family and addresses. */
SEC("tc")
int socket(struct __sk_buff *skb)
{
	__u32 w[12] = {};
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);
	struct sock *sk = k->sk;

	if (!sk)
		return 1;
	w[0] = sk->__sk_common.skc_family;
	w[1] = sk->__sk_common.skc_rcv_saddr;
	w[2] = sk->__sk_common.skc_daddr;
	for (int i = 0; i < 4; i++) {
		w[3 + i] = sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32[i];
		w[7 + i] = sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32[i];
	}
	w[11] = skb->sk != 0;
	return put(skb, w, 12);
}

char _license[] SEC("license") = "GPL";
