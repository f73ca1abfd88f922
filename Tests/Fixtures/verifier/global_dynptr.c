/* Global functions taking `struct bpf_dynptr *`: the kernel types such a parameter as a dynptr
 * (btf_is_dynptr_ptr), not as memory. Each caller must pass a dynptr it made on its stack (one
 * never made, or anything but a stack pointer, is refused: EINVAL); the function may read the
 * dynptr, slice it, ask its size and hand it on, knowing nothing of its kind. Written for
 * swift-tcx; the kernel's verdicts and results are recorded in global_dynptr.tcx
 * (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define KSYM __attribute__((section(".ksyms")))
#define GLOBAL __attribute__((noinline))

static long (*bpf_dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;
static void *(*bpf_dynptr_data)(const struct bpf_dynptr *ptr, __u32 offset, __u32 len) = (void *)203;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr) KSYM;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) KSYM;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr) KSYM;

/* The dynptr's size plus its first byte (read into the stack) plus its second (through a slice). */
GLOBAL int size_and_bytes(struct bpf_dynptr *ptr)
{
	unsigned char first = 0, buffer[2];
	unsigned char *slice;
	int total = bpf_dynptr_size(ptr);

	if (bpf_dynptr_read(&first, 1, ptr, 0, 0) == 0)
		total += first;
	slice = bpf_dynptr_slice(ptr, 0, buffer, sizeof(buffer));
	if (slice)
		total += slice[1];
	/* Memory of a dynptr of unknown kind: NULL for a packet's. */
	if (bpf_dynptr_data(ptr, 0, 1))
		total += 1000;
	return total;
}

/* Hands its dynptr on. */
GLOBAL int forwarded(struct bpf_dynptr *ptr)
{
	return size_and_bytes(ptr) + 1;
}

/* Loads: a packet's dynptr made on the stack, passed on. */
SEC("tc") int packet_dynptr_passed(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	return size_and_bytes(&ptr);
}

/* Loads: passed through two functions. */
SEC("tc") int packet_dynptr_forwarded(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	return forwarded(&ptr);
}

/* Refused: stack bytes no dynptr was made in. */
SEC("tc") int unmade_dynptr_passed(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;

	*(volatile __u64 *)&ptr = 0;
	*((volatile __u64 *)&ptr + 1) = 0;
	return size_and_bytes(&ptr);
}

/* Refused: the context is no dynptr. */
SEC("tc") int context_passed(struct __sk_buff *skb)
{
	return size_and_bytes((struct bpf_dynptr *)skb);
}

char _license[] SEC("license") = "GPL";
