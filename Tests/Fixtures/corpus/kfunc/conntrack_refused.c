/* Conntrack kfunc calls the verifier refuses, each program alone, and the XDP counterparts
 * that load (the embedded backend checks XDP programs structurally only, so the XDP refusals
 * the kernel makes, a leak or tc's kfunc on XDP's context, are not here). */
#include "conntrack.h"

#define UDP_OPTS { .netns_id = -1, .l4proto = 17 }
#define LOOKUP(ctx, t, o, size) bpf_skb_ct_lookup(ctx, &(t), sizeof((t).ipv4), &(o), size)

SEC("tc")
int null_opts(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t.ipv4), 0, 0);

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int null_tuple(struct __sk_buff *skb)
{
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, 0, 0, &o, sizeof(o));

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int leaked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	return ct ? ct->mark : 0;
}

SEC("tc")
int alloc_leaked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn___init *ct = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));

	return ct ? 1 : 0;
}

SEC("tc")
int release_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int read_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));
	int mark = ct->mark;

	if (ct)
		bpf_ct_release(ct);
	return mark;
}

SEC("tc")
int read_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	bpf_ct_release(ct);
	return ct->mark;
}

SEC("tc")
int released_twice(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	bpf_ct_release(ct);
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int release_init(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn___init *ct = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (ct)
		bpf_ct_release((struct nf_conn *)ct);
	return 0;
}

SEC("tc")
int init_after_insert(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn___init *fresh = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	struct nf_conn *ct;

	if (!fresh)
		return 0;
	ct = bpf_ct_insert_entry(fresh);
	if (ct)
		bpf_ct_release(ct);
	return fresh->ct.mark;
}

SEC("tc")
int set_timeout_confirmed(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	bpf_ct_set_timeout((struct nf_conn___init *)ct, 1000);
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int opts_too_big(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o) + 4);

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int tuple_too_big(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, sizeof(t) + 8, &o, sizeof(o));

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int tuple_size_unbounded(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, &t, skb->len, &o, sizeof(o));

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

/* A tuple in .rodata: the kfunc may write its memory, so read-only memory is refused. */
static const struct bpf_sock_tuple fixed_tuple = { .ipv4 = { .saddr = 1, .daddr = 2, .sport = 3, .dport = 4 } };

SEC("tc")
int rodata_tuple(struct __sk_buff *skb)
{
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_skb_ct_lookup(skb, (struct bpf_sock_tuple *)&fixed_tuple, sizeof(fixed_tuple.ipv4), &o,
					       sizeof(o));

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int write_status(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	ct->status = 1;
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int write_mark_wide(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	*(volatile __u64 *)&ct->mark = 1;
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int not_context(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_skb_ct_lookup((struct __sk_buff *)&t, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int xdp_kfunc_in_tc(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_xdp_ct_lookup((struct xdp_md *)skb, &t, sizeof(t.ipv4), &o, sizeof(o));

	if (ct)
		bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int release_walked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	if (ct->master)
		bpf_ct_release(ct->master);
	bpf_ct_release(ct);
	return 0;
}

SEC("tc")
int change_walked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));
	int ret = 0;

	if (!ct)
		return 0;
	if (ct->master)
		ret = bpf_ct_change_timeout(ct->master, 1000);
	bpf_ct_release(ct);
	return ret;
}

SEC("tc")
int release_offset(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	bpf_ct_release((struct nf_conn *)((char *)ct + 8));
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

SEC("tc")
int tail_call_held(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));

	if (!ct)
		return 0;
	bpf_tail_call(skb, &jumps, 0);
	bpf_ct_release(ct);
	return 0;
}

/* Allowed: reading through the walked pointer, and writing its mark. */
SEC("tc")
int walked_mark(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = LOOKUP(skb, t, o, sizeof(o));
	int mark = 0;

	if (!ct)
		return 0;
	if (ct->master) {
		mark = ct->master->mark;
		ct->master->mark = 5;
	}
	bpf_ct_release(ct);
	return mark;
}

/* Allowed: the mark written through both pointer kinds, a lookup through the tuple's
 * variable size. */
SEC("tc")
int fine(struct __sk_buff *skb)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn___init *fresh = bpf_skb_ct_alloc(skb, &t, sizeof(t.ipv4), &o, sizeof(o));
	struct nf_conn *ct;

	if (!fresh)
		return 1;
	fresh->ct.mark = 3;
	ct = bpf_ct_insert_entry(fresh);
	if (!ct)
		return 2;
	ct->mark = 4;
	bpf_ct_release(ct);
	return 0;
}

SEC("xdp")
int xdp_lookup(struct xdp_md *xdp)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn *ct = bpf_xdp_ct_lookup(xdp, &t, sizeof(t.ipv4), &o, sizeof(o));
	__u32 mark;

	if (!ct)
		return XDP_PASS;
	mark = ct->mark;
	bpf_ct_release(ct);
	return mark ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_alloc(struct xdp_md *xdp)
{
	struct bpf_sock_tuple t = {};
	struct bpf_ct_opts o = UDP_OPTS;
	struct nf_conn___init *fresh = bpf_xdp_ct_alloc(xdp, &t, sizeof(t.ipv4), &o, sizeof(o));
	struct nf_conn *ct;

	if (!fresh)
		return XDP_PASS;
	bpf_ct_set_timeout(fresh, 1000);
	bpf_ct_set_status(fresh, 2);
	ct = bpf_ct_insert_entry(fresh);
	if (ct)
		bpf_ct_release(ct);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
