/* The dynptr helpers' argument rule, each program on one case: a dynptr argument must be one a
 * helper initialised on this path (bpf_dynptr_from_mem, bpf_ringbuf_reserve_dynptr) and not yet
 * released (bpf_ringbuf_submit_dynptr / discard). Written for swift-tcx; the kernel's verdicts
 * are recorded in dynptr_rules.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)BPF_FUNC_dynptr_from_mem;
static long (*ringbuf_reserve_dynptr)(void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)BPF_FUNC_ringbuf_reserve_dynptr;
static void (*ringbuf_submit_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)BPF_FUNC_ringbuf_submit_dynptr;
static void (*ringbuf_discard_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)BPF_FUNC_ringbuf_discard_dynptr;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)BPF_FUNC_dynptr_read;
static long (*dynptr_write)(const struct bpf_dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags) = (void *)BPF_FUNC_dynptr_write;
static void *(*dynptr_data)(const struct bpf_dynptr *ptr, __u32 offset, __u32 len) = (void *)BPF_FUNC_dynptr_data;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[4]);
} blobs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* Stack bytes that were never made a dynptr, given to each helper that reads one. */
SEC("tc") int read_from_plain_stack(struct __sk_buff *skb)
{
	struct bpf_dynptr fake;
	volatile __u64 zero = 0;
	char out[4];

	__builtin_memcpy(&fake, (void *)&zero, sizeof(zero));
	((__u64 *)&fake)[1] = zero;
	return dynptr_read(out, sizeof(out), &fake, 0, 0);
}

SEC("tc") int write_to_plain_stack(struct __sk_buff *skb)
{
	struct bpf_dynptr fake;
	volatile __u64 zero = 0;
	char in[4] = {};

	((__u64 *)&fake)[0] = zero;
	((__u64 *)&fake)[1] = zero;
	return dynptr_write(&fake, 0, in, sizeof(in), 0);
}

SEC("tc") int data_of_plain_stack(struct __sk_buff *skb)
{
	struct bpf_dynptr fake;
	volatile __u64 zero = 0;

	((__u64 *)&fake)[0] = zero;
	((__u64 *)&fake)[1] = zero;
	return dynptr_data(&fake, 0, 4) != 0;
}

/* A map value made a dynptr: read, write and data all take it. */
SEC("tc") int map_value_dynptr(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *blob = map_lookup_elem(&blobs, &key);
	struct bpf_dynptr ptr;
	char bytes[4] = {1, 2, 3, 4};

	if (!blob)
		return 0;
	dynptr_from_mem(blob, 32, 0, &ptr);
	if (dynptr_write(&ptr, 4, bytes, sizeof(bytes), 0))
		return 1;
	if (dynptr_read(bytes, sizeof(bytes), &ptr, 0, 0))
		return 2;
	return dynptr_data(&ptr, 0, 8) ? 3 : 4;
}

/* A ring buffer record is a dynptr until it is submitted; afterwards it is not. */
SEC("tc") int record_used_then_submitted(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u32 len = skb->len;

	ringbuf_reserve_dynptr(&events, 8, 0, &ptr);
	dynptr_write(&ptr, 0, &len, sizeof(len), 0);
	ringbuf_submit_dynptr(&ptr, 0);
	return 0;
}

SEC("tc") int record_read_after_submit(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u32 len = skb->len;

	ringbuf_reserve_dynptr(&events, 8, 0, &ptr);
	ringbuf_submit_dynptr(&ptr, 0);
	return dynptr_read(&len, sizeof(len), &ptr, 0, 0);
}

SEC("tc") int record_written_after_discard(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u32 len = skb->len;

	ringbuf_reserve_dynptr(&events, 8, 0, &ptr);
	ringbuf_discard_dynptr(&ptr, 0);
	return dynptr_write(&ptr, 0, &len, sizeof(len), 0);
}

char LICENSE[] SEC("license") = "GPL";
