/* The conntrack kfuncs on a tc program's world: lookups, entries allocated, changed and
 * inserted, every opts error. A request frame (ethertype 0x88b5) says what to do; the program
 * writes what it saw after the request, so a test-run's output packet shows every value. */
#include "conntrack.h"

/* The request, after the Ethernet header. */
struct request {
	__u8 op;
	__u8 l4proto;
	__u8 tuple_size;
	__u8 opts_size;
	__s32 netns_id;
	__u8 reserved;
	__u8 dir;
	__u16 zone_id;
	__u8 zone_dir;
	__u8 flags;
	__u16 pad;
	__u32 mark;
	__u32 status;
	__u32 timeout;
	__u32 status2;
	__u32 timeout2;
	__u8 tuple[36];
};

/* What the program writes, after the request. */
struct report {
	__s32 found;
	__s32 error;
	__u32 dir;
	__u32 zone_dir;
	__s32 ret[4];
	__u32 status;
	__u32 mark;
	__u32 seconds;
	__u32 zone;
	__be32 orig_src, orig_dst, reply_src, reply_dst;
	__be16 orig_sport, orig_dport, reply_sport, reply_dport;
	__u16 l3num;
	__u8 protonum, tuple_dir;
};

#define REQUEST_AT sizeof(struct ethhdr)
#define REPORT_AT (REQUEST_AT + sizeof(struct request))

/* op values */
#define OP_LOOKUP 0
#define OP_CREATE 1
#define OP_CHANGE 2
#define OP_ALLOC_ONLY 3
#define OP_NAT 4

/* flags: create without a timeout of its own; read the entry after the change through a second lookup */
#define FLAG_DEFAULT_TIMEOUT 1
#define FLAG_WRITE_MARK 2

static __always_inline void describe(struct report *r, struct nf_conn *ct)
{
	__u32 now = bpf_jiffies64();

	r->status = ct->status;
	r->mark = ct->mark;
	/* The time left in whole seconds rounded up, at HZ 250 (a second's slack for the time
	 * between the runs); entries not inserted carry it relative, in ticks. */
	r->seconds = (ct->status & 8) ? (ct->timeout - now + 249) / 250 : ct->timeout;
	r->zone = ct->zone.id | (__u32)ct->zone.dir << 16;
	r->orig_src = ct->tuplehash[0].tuple.src.u3.ip;
	r->orig_dst = ct->tuplehash[0].tuple.dst.u3.ip;
	r->orig_sport = ct->tuplehash[0].tuple.src.u.all;
	r->orig_dport = ct->tuplehash[0].tuple.dst.u.all;
	r->reply_src = ct->tuplehash[1].tuple.src.u3.ip;
	r->reply_dst = ct->tuplehash[1].tuple.dst.u3.ip;
	r->reply_sport = ct->tuplehash[1].tuple.src.u.all;
	r->reply_dport = ct->tuplehash[1].tuple.dst.u.all;
	r->l3num = ct->tuplehash[0].tuple.src.l3num;
	r->protonum = ct->tuplehash[0].tuple.dst.protonum;
	r->tuple_dir = ct->tuplehash[1].tuple.dst.dir;
}

SEC("tc")
int conntrack(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct request *q = data + REQUEST_AT;
	struct report *r = data + REPORT_AT;
	struct bpf_ct_opts opts = {};
	struct bpf_sock_tuple tuple = {};
	__u32 tuple_size, opts_size;

	if ((void *)(r + 1) > end)
		return 1;
	__builtin_memcpy(&tuple, q->tuple, sizeof(tuple));
	opts.netns_id = q->netns_id;
	opts.error = 0x55;
	opts.l4proto = q->l4proto;
	opts.dir = q->dir;
	opts.ct_zone_id = q->zone_id;
	opts.ct_zone_dir = q->zone_dir;
	opts.reserved[1] = q->reserved;
	tuple_size = q->tuple_size;
	opts_size = q->opts_size;
	if (tuple_size > sizeof(tuple) || opts_size > sizeof(opts))
		return 2;
	__builtin_memset(r, 0, sizeof(*r));

	if (q->op == OP_LOOKUP || q->op == OP_CHANGE) {
		struct nf_conn *ct = bpf_skb_ct_lookup(skb, &tuple, tuple_size, &opts, opts_size);

		r->error = opts.error;
		r->dir = opts.dir;
		r->zone_dir = opts.ct_zone_dir;
		if (!ct)
			return 0;
		r->found = 1;
		if (q->op == OP_CHANGE) {
			r->ret[0] = bpf_ct_change_status(ct, q->status);
			r->ret[1] = bpf_ct_change_timeout(ct, q->timeout);
			if (q->flags & FLAG_WRITE_MARK)
				ct->mark = q->mark;
		}
		describe(r, ct);
		bpf_ct_release(ct);
		return 0;
	}

	if (q->op == OP_CREATE || q->op == OP_ALLOC_ONLY || q->op == OP_NAT) {
		struct nf_conn___init *fresh = bpf_skb_ct_alloc(skb, &tuple, tuple_size, &opts, opts_size);
		struct nf_conn *ct;

		r->error = opts.error;
		r->dir = opts.dir;
		r->zone_dir = opts.ct_zone_dir;
		if (!fresh)
			return 0;
		r->found = 1;
		if (!(q->flags & FLAG_DEFAULT_TIMEOUT))
			bpf_ct_set_timeout(fresh, q->timeout);
		r->ret[0] = bpf_ct_set_status(fresh, q->status);
		if (q->flags & FLAG_WRITE_MARK)
			fresh->ct.mark = q->mark;
		if (q->op == OP_NAT) {
			union nf_inet_addr___ct to = { .all = { q->mark } };

			/* status2 names the side (0 source, else destination), timeout2 the port. */
			r->ret[1] = bpf_ct_set_nat_info(fresh, &to, q->timeout2, q->status2 ? NAT_DESTINATION : NAT_SOURCE);
			r->ret[2] = bpf_ct_set_nat_info(fresh, &to, q->timeout2 + 1, q->status2 ? NAT_SOURCE : NAT_DESTINATION);
		}
		if (q->op == OP_ALLOC_ONLY) {
			describe(r, &fresh->ct);
			/* A reference the program cannot drop otherwise: insert it, then release. */
			ct = bpf_ct_insert_entry(fresh);
			if (ct)
				bpf_ct_release(ct);
			return 0;
		}
		ct = bpf_ct_insert_entry(fresh);
		if (!ct) {
			r->found = 2;
			return 0;
		}
		r->ret[1] = bpf_ct_change_status(ct, q->status2);
		if (q->timeout2)
			r->ret[2] = bpf_ct_change_timeout(ct, q->timeout2);
		describe(r, ct);
		bpf_ct_release(ct);
		return 0;
	}
	return 3;
}

/* The opts as programs written before zones declare them: 12 bytes. */
struct ct_opts_v1 {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

/* A SYN-guard in the style of a synproxy's tc half: TCP packets of a connection the table
 * knows (and has confirmed) pass with the entry's mark; unknown ones are sent on to the
 * guard (1); a lookup failing for another reason drops the packet (2). The tuple comes from
 * the packet, IPv4 or IPv6, so its size is only known at run time. Writes what it saw after
 * the TCP header. */
SEC("tc")
int tcp_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct bpf_sock_tuple tuple;
	struct ct_opts_v1 opts = { .netns_id = -1, .l4proto = IPPROTO_TCP };
	__u32 tuple_size, *out;
	__u16 *ports;
	struct nf_conn *ct;

	if ((void *)(eth + 1) > end)
		return 3;
	__builtin_memset(&tuple, 0, sizeof(tuple));
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
			return 3;
		tuple.ipv4.saddr = ip->saddr;
		tuple.ipv4.daddr = ip->daddr;
		ports = (void *)(ip + 1);
		tuple_size = sizeof(tuple.ipv4);
		if ((void *)(ports + 2) > end)
			return 3;
		tuple.ipv4.sport = ports[0];
		tuple.ipv4.dport = ports[1];
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		__u8 *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 40) > end || ip6[6] != IPPROTO_TCP)
			return 3;
		__builtin_memcpy(tuple.ipv6.saddr, ip6 + 8, 16);
		__builtin_memcpy(tuple.ipv6.daddr, ip6 + 24, 16);
		ports = (void *)(ip6 + 40);
		tuple_size = sizeof(tuple.ipv6);
		if ((void *)(ports + 2) > end)
			return 3;
		tuple.ipv6.sport = ports[0];
		tuple.ipv6.dport = ports[1];
	} else {
		return 3;
	}
	out = (void *)(ports + 10);
	if ((void *)(out + 4) > end)
		return 3;
	ct = bpf_skb_ct_lookup(skb, &tuple, tuple_size, (struct bpf_ct_opts *)&opts, sizeof(opts));
	out[0] = opts.error;
	out[1] = opts.dir;
	if (!ct)
		return opts.error == -2 ? 1 : 2;
	out[2] = ct->status;
	out[3] = ct->mark;
	bpf_ct_release(ct);
	return out[2] & 8 ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
