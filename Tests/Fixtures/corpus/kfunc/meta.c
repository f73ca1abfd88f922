/* bpf_dynptr_from_skb_meta: a dynptr over the skb's metadata (data_meta .. data). A tc
 * test-run's skb carries none, so the dynptr is empty; what every dynptr call answers on it.
 * The request's u8 @14 picks the case; results (ints) are stored from @20. */
#include "kfuncs.h"

extern int bpf_dynptr_from_skb_meta(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym __weak;

#define RESULTS 20
#define META_SIZE 32

SEC("tc")
int meta_calls(struct __sk_buff *skb)
{
	struct bpf_dynptr meta, bad, pkt, copy;
	__u8 op, buf[META_SIZE] = {};
	int r[14] = {};

	if (!kfunc_present(bpf_dynptr_from_skb_meta))
		return 100;
	if (bpf_skb_load_bytes(skb, 14, &op, 1))
		return 1;

	switch (op) {
	case 0: /* the dynptr itself */
		r[0] = (long)skb->data - (long)skb->data_meta;
		r[1] = bpf_dynptr_from_skb_meta(skb, 0, &meta);
		r[2] = bpf_dynptr_size(&meta);
		r[3] = bpf_dynptr_is_null(&meta) | bpf_dynptr_is_rdonly(&meta) << 1;
		r[4] = bpf_dynptr_from_skb_meta(skb, 1, &bad);
		r[5] = bpf_dynptr_is_null(&bad) | bpf_dynptr_is_rdonly(&bad) << 1;
		r[6] = bpf_dynptr_size(&bad);
		r[7] = bpf_dynptr_adjust(&meta, 0, 0);
		r[8] = bpf_dynptr_adjust(&meta, 0, 1);
		r[9] = bpf_dynptr_clone(&meta, &copy);
		r[10] = bpf_dynptr_size(&copy);
		r[11] = bpf_dynptr_from_skb_meta(skb, -1ULL, &bad);
		break;
	case 1: /* reads, writes and slices */
		if (bpf_dynptr_from_skb_meta(skb, 0, &meta))
			return 2;
		r[0] = bpf_dynptr_read(buf, 0, &meta, 0, 0);
		r[1] = bpf_dynptr_read(buf, 1, &meta, 0, 0);
		r[2] = bpf_dynptr_read(buf, META_SIZE, &meta, 0, 0);
		r[3] = bpf_dynptr_read(buf, 0, &meta, 1, 0);
		r[4] = bpf_dynptr_write(&meta, 0, buf, 0, 0);
		r[5] = bpf_dynptr_write(&meta, 0, buf, 0, 1);
		r[6] = bpf_dynptr_write(&meta, 0, buf, 1, 0);
		r[7] = bpf_dynptr_write(&meta, 0, buf, 1, BPF_F_RECOMPUTE_CSUM);
		r[8] = bpf_dynptr_slice(&meta, 0, NULL, 1) != NULL;
		r[9] = bpf_dynptr_slice(&meta, 0, buf, META_SIZE) != NULL;
		r[10] = bpf_dynptr_read(buf, 1, &meta, 0, 1);
		break;
	case 2: /* copies and memset between the metadata and the packet */
		if (bpf_dynptr_from_skb_meta(skb, 0, &meta) || bpf_dynptr_from_skb(skb, 0, &pkt))
			return 2;
		r[0] = bpf_dynptr_copy(&pkt, 40, &meta, 0, 0);
		r[1] = bpf_dynptr_copy(&pkt, 40, &meta, 0, 1);
		r[2] = bpf_dynptr_copy(&meta, 0, &pkt, 0, 1);
		r[3] = bpf_dynptr_copy(&meta, 0, &pkt, 0, 0);
		r[4] = bpf_dynptr_memset(&meta, 0, 0, 0xab);
		r[5] = bpf_dynptr_memset(&meta, 0, 1, 0xab);
		r[6] = bpf_dynptr_memset(&meta, 1, 0, 0xab);
		break;
	case 3: /* a reader that expects 32 bytes of metadata from XDP, dropping what lacks them */
		bpf_dynptr_from_skb_meta(skb, 0, &meta);
		r[0] = bpf_dynptr_read(buf, META_SIZE, &meta, 0, 0);
		r[1] = buf[0] | buf[31];
		bpf_skb_store_bytes(skb, RESULTS, r, 8, 0);
		return 2; /* TC_ACT_SHOT either way */
	default:
		return 3;
	}
	if (bpf_skb_store_bytes(skb, RESULTS, r, sizeof(r), 0))
		return 4;
	return 0;
}

/* The dynptr wants the context itself. */
SEC("tc")
int meta_not_ctx(struct __sk_buff *skb)
{
	struct bpf_dynptr meta;
	__u8 buf[4] = {};

	bpf_dynptr_from_skb_meta((struct __sk_buff *)buf, 0, &meta);
	return bpf_dynptr_size(&meta);
}

/* A slice of it, used without the NULL check. */
SEC("tc")
int meta_slice_unchecked(struct __sk_buff *skb)
{
	struct bpf_dynptr meta;
	__u8 *p;

	bpf_dynptr_from_skb_meta(skb, 0, &meta);
	p = bpf_dynptr_slice(&meta, 0, NULL, 1);
	return *p;
}

/* A read-write slice of it (refused to tc on 6.18, as for skb dynptrs). */
SEC("tc")
int meta_slice_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr meta;
	__u8 *p;

	bpf_dynptr_from_skb_meta(skb, 0, &meta);
	p = bpf_dynptr_slice_rdwr(&meta, 0, NULL, 1);
	if (!p)
		return 1;
	*p = 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
