/* The order in which the kernel checks a call's arguments, and what a helper may write over.
 * A helper's arguments are checked one by one from the first (check_helper_call), so a memory
 * argument the helper fills is refused where its bytes reach a dynptr on the stack ("potential
 * write to dynptr", EACCES) before a later argument is looked at; a dynptr stored over first is
 * no longer one. A kfunc's dynptr comes first too. bpf_dynptr_slice_rdwr, which tc programs may
 * not call (EPERM), has its arguments checked before that refusal: a size that is not one
 * constant is refused as for bpf_dynptr_slice. Written for swift-tcx; the kernel's verdicts are
 * recorded in argument_order.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define KSYM __attribute__((section(".ksyms")))

static long (*bpf_skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)26;
static long (*bpf_dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;
static long (*bpf_dynptr_write)(const struct bpf_dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags) = (void *)202;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr) KSYM;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) KSYM;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) KSYM;

/* 64 bytes whose last 16 are a dynptr. */
union overlay {
	struct {
		char head[48];
		struct bpf_dynptr ptr;
	} parts;
	char all[64];
};

/* Refused: bpf_dynptr_read's destination (its first argument) covers the dynptr it reads. */
SEC("tc") int read_into_own_dynptr(struct __sk_buff *skb)
{
	union overlay o;

	bpf_dynptr_from_skb(skb, 0, &o.parts.ptr);
	bpf_dynptr_read(o.all, sizeof(o.all), &o.parts.ptr, 0, 0);
	return o.all[0];
}

/* Loads: the destination ends where the dynptr starts. */
SEC("tc") int read_beside_dynptr(struct __sk_buff *skb)
{
	union overlay o;

	bpf_dynptr_from_skb(skb, 0, &o.parts.ptr);
	bpf_dynptr_read(o.parts.head, sizeof(o.parts.head), &o.parts.ptr, 0, 0);
	return o.parts.head[0];
}

/* Refused: bpf_skb_load_bytes fills bytes of a dynptr nothing uses any more. */
SEC("tc") int load_bytes_over_unused_dynptr(struct __sk_buff *skb)
{
	union overlay o;

	bpf_dynptr_from_skb(skb, 0, &o.parts.ptr);
	bpf_skb_load_bytes(skb, 0, o.all, sizeof(o.all));
	return o.all[0];
}

/* Loads: a store over the dynptr ended it before the helper fills its bytes. */
SEC("tc") int load_bytes_after_store_over_dynptr(struct __sk_buff *skb)
{
	union overlay o;

	bpf_dynptr_from_skb(skb, 0, &o.parts.ptr);
	*(volatile __u64 *)&o.parts.ptr = 0;
	*((volatile __u64 *)&o.parts.ptr + 1) = 0;
	bpf_skb_load_bytes(skb, 0, o.all, sizeof(o.all));
	return o.all[0];
}

/* Refused: a size of more than one number, bounded and inside the buffer (not constant, EINVAL). */
SEC("tc") int slice_rdwr_bounded_size(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16];
	char *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice_rdwr(&ptr, 0, buffer, skb->len & 15);
	return bytes ? bytes[0] : 0;
}

/* Refused: the same with bpf_dynptr_slice. */
SEC("tc") int slice_bounded_size(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16];
	char *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, skb->len & 15);
	return bytes ? bytes[0] : 0;
}

/* Refused: an unbounded size (the memory and size check, EACCES, comes before the constant one). */
SEC("tc") int slice_rdwr_unbounded_size(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16];
	char *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice_rdwr(&ptr, 0, buffer, skb->len);
	return bytes ? bytes[0] : 0;
}

/* Refused: well-formed arguments, but tc programs may not take writable slices (EPERM). */
SEC("tc") int slice_rdwr_constant_size(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16];
	char *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice_rdwr(&ptr, 0, buffer, sizeof(buffer));
	return bytes ? bytes[0] : 0;
}

/* Refused: a slice of a dynptr never made, with an unbounded size: the dynptr is argument 0. */
SEC("tc") int slice_of_unmade_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16];
	char *bytes;

	bytes = bpf_dynptr_slice(&ptr, 0, buffer, skb->len);
	return bytes ? bytes[0] : 0;
}

/* Refused: bpf_dynptr_read of a dynptr never made, with an unbounded size: the size (argument 2)
 * is checked before the dynptr (argument 3). */
SEC("tc") int read_unbounded_from_unmade_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16];

	bpf_dynptr_read(buffer, skb->len, &ptr, 0, 0);
	return buffer[0];
}

/* Refused: bpf_dynptr_write to a dynptr never made, with an unbounded size: the dynptr
 * (argument 1) is checked first. */
SEC("tc") int write_unbounded_to_unmade_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[16] = {};

	return bpf_dynptr_write(&ptr, 0, buffer, skb->len, 0);
}

char _license[] SEC("license") = "GPL";
