/* XDP programs calling kfuncs: the tc-only ones are refused to XDP as the kernel refuses them,
 * generic ones load. Written for swift-tcx; the kernel's verdicts are recorded in
 * xdp_kfuncs.tcx (load verdicts only: the embedded backend runs no XDP program). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
struct bpf_tcp_req_attrs { __u32 rcv_tsval; };
struct sock { int sk_rcvlowat; };

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_skb_meta(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_sk_assign_tcp_reqsk(struct __sk_buff *skb, struct sock *sk, struct bpf_tcp_req_attrs *attrs,
				   int attrs__sz) __ksym;
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
extern int bpf_strlen(const char *s__ign) __ksym;

/* The skb dynptr is tc's: an XDP context is no skb. */
SEC("xdp") int skb_dynptr(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	return bpf_dynptr_from_skb((struct __sk_buff *)ctx, 0, &ptr) ? XDP_DROP : XDP_PASS;
}

/* Nor is the skb metadata dynptr. */
SEC("xdp") int skb_meta_dynptr(struct xdp_md *ctx)
{
	struct bpf_dynptr ptr;
	return bpf_dynptr_from_skb_meta((struct __sk_buff *)ctx, 0, &ptr) ? XDP_DROP : XDP_PASS;
}

/* A tc-only kfunc the embedded backend does not have: refused for the program type first. */
SEC("xdp") int tcp_reqsk(struct xdp_md *ctx)
{
	return bpf_sk_assign_tcp_reqsk((struct __sk_buff *)ctx, (struct sock *)0, (struct bpf_tcp_req_attrs *)0, 0);
}

/* The number iterator is every type's. */
SEC("xdp") int count_to_four(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *value, sum = 0;
	bpf_iter_num_new(&it, 0, 4);
	while ((value = bpf_iter_num_next(&it)))
		sum += *value;
	bpf_iter_num_destroy(&it);
	return sum == 6 ? XDP_PASS : XDP_DROP;
}

/* So are the string kfuncs. */
SEC("xdp") int string_length(struct xdp_md *ctx)
{
	return bpf_strlen("xdp") == 3 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
