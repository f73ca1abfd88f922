/* Packet pointers and static functions that may move the packet (issue 12, Linux 6.18): a
 * tail call in a static function ends its caller's packet pointers when the function returns;
 * the function's own pointers live on after the tail call, and a tail call in the main
 * program ends none; XDP's bpf_xdp_pull_data ends XDP's packet pointers and is refused to tc.
 * Written for swift-tcx; the kernel's verdicts are recorded in
 * static_packet_changers.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} programs SEC(".maps");

static long (*tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
static long (*pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;
/* XDP's packet mover (Linux 6.18), declared weak: the kernel has it, so libbpf finds it. */
extern int bpf_xdp_pull_data(struct xdp_md *xdp, __u32 len) __attribute__((section(".ksyms"), weak));

/* A proven 4-byte window at the packet's start, or NULL. */
static __always_inline __u32 *first_word(struct __sk_buff *skb)
{
	__u32 *p = (void *)(long)skb->data;
	if ((void *)(p + 1) > (void *)(long)skb->data_end)
		return 0;
	return p;
}

static __attribute__((noinline)) int jump_away(struct __sk_buff *skb)
{
	tail_call(skb, &programs, 1);
	return skb->len & 1;
}

static __attribute__((noinline)) int count(struct __sk_buff *skb)
{
	return skb->len & 1;
}

static __attribute__((noinline)) int jump_then_read(struct __sk_buff *skb, __u32 *p)
{
	tail_call(skb, &programs, 1);
	return *p & 1;
}

static __attribute__((noinline)) int read_then_pull(struct __sk_buff *skb, __u32 *p)
{
	int v = *p & 1;
	pull_data(skb, 0);
	return v;
}

/* Written through after the static function that tail-calls returns: refused. */
SEC("tc") int write_after_static_tail_call(struct __sk_buff *skb)
{
	__u32 *p = first_word(skb);
	if (!p)
		return 2;
	jump_away(skb);
	*p = 42;
	return 0;
}

/* The same call of a static function that cannot move the packet: accepted. */
SEC("tc") int write_after_plain_static_call(struct __sk_buff *skb)
{
	__u32 *p = first_word(skb);
	if (!p)
		return 2;
	count(skb);
	*p = 42;
	return 0;
}

/* A tail call in the main program: if it returns, the packet did not move. */
SEC("tc") int write_after_direct_tail_call(struct __sk_buff *skb)
{
	__u32 *p = first_word(skb);
	if (!p)
		return 2;
	tail_call(skb, &programs, 1);
	*p = 42;
	return 0;
}

/* The callee reads the pointer it was given after its own tail call: accepted. */
SEC("tc") int callee_reads_after_its_tail_call(struct __sk_buff *skb)
{
	__u32 *p = first_word(skb);
	if (!p)
		return 2;
	return jump_then_read(skb, p);
}

/* The callee reads the pointer before pulling: accepted; the caller may not read it afterwards. */
SEC("tc") int caller_reads_after_callee_pulls(struct __sk_buff *skb)
{
	__u32 *p = first_word(skb);
	if (!p)
		return 2;
	read_then_pull(skb, p);
	return *p & 1;
}

SEC("tc") int callee_reads_before_it_pulls(struct __sk_buff *skb)
{
	__u32 *p = first_word(skb);
	if (!p)
		return 2;
	return read_then_pull(skb, p);
}

/* bpf_xdp_pull_data from tc: refused when loaded (EACCES), weak or not. */
SEC("tc") int xdp_mover_from_tc(struct __sk_buff *skb)
{
	bpf_xdp_pull_data((void *)skb, 8);
	return 0;
}

/* XDP: bpf_xdp_pull_data may move the packet; pointers taken after it are fine. */
SEC("xdp") int xdp_reload_after_pull(struct xdp_md *xdp)
{
	__u32 *p;

	if (bpf_xdp_pull_data(xdp, 8))
		return 1;
	p = (void *)(long)xdp->data;
	if ((void *)(p + 1) > (void *)(long)xdp->data_end)
		return 1;
	return *p == 3 ? 1 : 2;
}

/* XDP: a packet pointer proven before bpf_xdp_pull_data is not one after it. */
SEC("xdp") int xdp_stale_after_pull(struct xdp_md *xdp)
{
	__u32 *p = (void *)(long)xdp->data;

	if ((void *)(p + 1) > (void *)(long)xdp->data_end)
		return 1;
	bpf_xdp_pull_data(xdp, 8);
	return *p == 3 ? 1 : 2;
}

char _license[] SEC("license") = "GPL";
