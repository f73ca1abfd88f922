/* A kfunc extern whose prototype differs from the kernel's: libbpf compares the two before it
 * resolves the call. A strong extern fails (EINVAL, the program alone); a weak one is absent
 * (its address 0, its calls poisoned), so code guarded by its presence loads. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The kernel's is (struct __sk_buff *, __u64, struct bpf_dynptr *). */
extern int bpf_dynptr_from_skb(void *skb, __u64 flags, void *ptr) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr, int extra) __ksym __weak;

SEC("tc") int strong_mismatch(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	return bpf_dynptr_from_skb(skb, 0, &ptr);
}

SEC("tc") int weak_mismatch_guarded(struct __sk_buff *skb)
{
	if (bpf_dynptr_size)
		return 100;
	return skb->len & 7;
}

char LICENSE[] SEC("license") = "GPL";
