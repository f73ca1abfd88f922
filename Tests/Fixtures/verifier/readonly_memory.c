/* Memory the kernel hands out read-only (an iterator's value, a slice of a packet's dynptr)
 * given to helpers: one that only reads it may have it, one that writes it may not. Written
 * for swift-tcx; the kernel's verdicts are recorded in readonly_memory.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))

struct bpf_iter_num { __u64 opaque[1]; } __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;

static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static __s64 (*csum_diff)(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size, __wsum seed) = (void *)BPF_FUNC_csum_diff;
static long (*probe_read_kernel)(void *dst, __u32 size, const void *unsafe_ptr) = (void *)BPF_FUNC_probe_read_kernel;

/* The iterator's value as the bytes skb_load_bytes writes. */
SEC("tc") int iterator_value_written_by_helper(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *value, ret = 0;

	bpf_iter_num_new(&it, 0, 2);
	while ((value = bpf_iter_num_next(&it)))
		ret += skb_load_bytes(skb, 0, value, 4);
	bpf_iter_num_destroy(&it);
	return ret;
}

/* The iterator's value as the bytes skb_store_bytes reads: allowed. */
SEC("tc") int iterator_value_read_by_helper(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *value, ret = 0;

	bpf_iter_num_new(&it, 0, 2);
	while ((value = bpf_iter_num_next(&it)))
		ret += skb_store_bytes(skb, 14, value, 4, 0);
	bpf_iter_num_destroy(&it);
	return ret;
}

/* The iterator's value as csum_diff's input, which it only reads: allowed. */
SEC("tc") int iterator_value_summed(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *value, ret = 0;

	bpf_iter_num_new(&it, 0, 2);
	while ((value = bpf_iter_num_next(&it)))
		ret += csum_diff(0, 0, (__be32 *)value, 4, 0);
	bpf_iter_num_destroy(&it);
	return ret;
}

/* The iterator's value as probe_read_kernel's destination. */
SEC("tc") int iterator_value_as_probe_destination(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *value, ret = 0;

	bpf_iter_num_new(&it, 0, 2);
	while ((value = bpf_iter_num_next(&it)))
		ret += probe_read_kernel(value, 4, (void *)(long)skb->len);
	bpf_iter_num_destroy(&it);
	return ret;
}

/* A slice of the packet's dynptr as the bytes skb_load_bytes writes. */
SEC("tc") int slice_written_by_helper(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[8];
	void *slice;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	slice = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!slice)
		return 0;
	return skb_load_bytes(skb, 0, slice, 8);
}

/* The same slice as the bytes skb_store_bytes reads: allowed. */
SEC("tc") int slice_read_by_helper(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[8];
	void *slice;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	slice = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!slice)
		return 0;
	return skb_store_bytes(skb, 20, slice, 8, 0);
}

/* The iterator's value as the buffer a slice may be copied into. */
SEC("tc") int iterator_value_as_slice_buffer(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	struct bpf_dynptr ptr;
	int *value, ret = 0;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bpf_iter_num_new(&it, 0, 2);
	while ((value = bpf_iter_num_next(&it)))
		ret += bpf_dynptr_slice(&ptr, 0, value, 4) != 0;
	bpf_iter_num_destroy(&it);
	return ret;
}

char _license[] SEC("license") = "GPL";
