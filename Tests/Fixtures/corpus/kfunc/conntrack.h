/* The conntrack kfuncs and the kernel structs they give, for conntrack.c and conntrack_refused.c:
 * the members read are found by CO-RE in the kernel's struct nf_conn. */
#include "kfuncs.h"
#include <bpf/bpf_core_read.h>

struct nf_conntrack_man___ct {
	union {
		__be32 ip;
		__be32 ip6[4];
	} u3;
	union {
		__be16 all;
	} u;
	__u16 l3num;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple___ct {
	struct nf_conntrack_man___ct src;
	struct {
		union {
			__be32 ip;
			__be32 ip6[4];
		} u3;
		union {
			__be16 all;
		} u;
		__u8 protonum;
		__u8 dir;
	} dst;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple_hash___ct {
	struct nf_conntrack_tuple___ct tuple;
} __attribute__((preserve_access_index));

struct nf_conntrack_zone___ct {
	__u16 id;
	__u8 flags;
	__u8 dir;
} __attribute__((preserve_access_index));

struct nf_conn {
	struct nf_conn *master;
	__u32 timeout;
	struct nf_conntrack_zone___ct zone;
	struct nf_conntrack_tuple_hash___ct tuplehash[2];
	unsigned long status;
	__u32 mark;
} __attribute__((preserve_access_index));

struct nf_conn___init {
	struct nf_conn ct;
} __attribute__((preserve_access_index));

struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u16 ct_zone_id;
	__u8 ct_zone_dir;
	__u8 reserved[3];
};

union nf_inet_addr___ct {
	__u32 all[4];
};

extern struct nf_conn___init *bpf_skb_ct_alloc(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple,
					       __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i) __ksym;
extern void bpf_ct_release(struct nf_conn *nfct) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *nfct, __u32 timeout) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *nfct, __u32 timeout) __ksym;
extern int bpf_ct_set_status(const struct nf_conn___init *nfct, __u32 status) __ksym;
extern int bpf_ct_change_status(struct nf_conn *nfct, __u32 status) __ksym;

enum nf_nat_manip_type___ct { NAT_SOURCE, NAT_DESTINATION };

extern int bpf_ct_set_nat_info(struct nf_conn___init *nfct, union nf_inet_addr___ct *addr, int port,
			       enum nf_nat_manip_type___ct manip) __ksym;
extern struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple,
					       __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
