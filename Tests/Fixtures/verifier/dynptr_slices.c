/* When the memory a dynptr gave ends: a slice of a packet's dynptr (bpf_dynptr_from_skb's, its
 * clone's) when the packet may move (bpf_skb_pull_data, bpf_dynptr_write to a packet's dynptr);
 * any dynptr's slice when its dynptr's 16 bytes are stored over or a dynptr is made there again,
 * also from a bpf_loop callback. What the program does after that decides the verdict: a load
 * through the old slice. Written for swift-tcx; the kernel's verdicts are recorded in
 * dynptr_slices.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_skb_pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;
static long (*bpf_loop)(__u32 nr_loops, void *callback_fn, void *callback_ctx, __u64 flags) = (void *)181;
static long (*bpf_dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)197;
static long (*bpf_dynptr_write)(const struct bpf_dynptr *dst, __u32 offset, void *src, __u32 len, __u64 flags) = (void *)202;
static void *(*bpf_dynptr_data)(const struct bpf_dynptr *ptr, __u32 offset, __u32 len) = (void *)203;
extern int bpf_dynptr_clone(const struct bpf_dynptr *ptr, struct bpf_dynptr *clone) __attribute__((section(".ksyms")));
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr) __attribute__((section(".ksyms")));
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) __attribute__((section(".ksyms")));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[4]);
} blobs SEC(".maps");

/* Where loads through a slice go, so the compiler keeps them. */
volatile __u32 sink;

/* A dynptr over blobs[0] (no reference, not a packet's) at *ptr; nonzero when there is none. */
static __attribute__((always_inline)) int blob_dynptr(struct bpf_dynptr *ptr)
{
	__u32 key = 0;
	void *value = bpf_map_lookup_elem(&blobs, &key);

	if (!value)
		return 1;
	bpf_dynptr_from_mem(value, 32, 0, ptr);
	return 0;
}

/* A packet slice read, the packet pulled, the same slice read again. */
SEC("tc") int packet_slice_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[4] = {};
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	sink = bytes[0];
	bpf_skb_pull_data(skb, 0);
	sink = bytes[1];
	return 0;
}

/* After the pull, a new slice: accepted. */
SEC("tc") int packet_slice_taken_again_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[4] = {};
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bpf_skb_pull_data(skb, 0);
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	sink = bytes[1];
	return 0;
}

/* bpf_dynptr_write to the packet's dynptr moves the packet. */
SEC("tc") int packet_slice_after_dynptr_write(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[4] = {}, data[4] = {1, 2, 3, 4};
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	bpf_dynptr_write(&ptr, 0, data, sizeof(data), 0);
	sink = bytes[1];
	return 0;
}

/* bpf_dynptr_write to a map value's dynptr moves no packet. */
SEC("tc") int packet_slice_after_memory_write(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr, blob;
	char buffer[4] = {}, data[4] = {1, 2, 3, 4};
	__u8 *bytes;

	if (blob_dynptr(&blob))
		return 0;
	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	bpf_dynptr_write(&blob, 0, data, sizeof(data), 0);
	sink = bytes[1];
	return 0;
}

/* A clone's slice ends with the packet too. */
SEC("tc") int clone_slice_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr, clone;
	char buffer[4] = {};
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bpf_dynptr_clone(&ptr, &clone);
	bytes = bpf_dynptr_slice(&clone, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	bpf_skb_pull_data(skb, 0);
	sink = bytes[1];
	return 0;
}

/* A store over the packet's dynptr leaves bpf_dynptr_slice's memory (measured on Linux 6.18). */
SEC("tc") int packet_slice_after_store_over_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[4] = {};
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	*(volatile __u8 *)&ptr = 0;
	sink = bytes[1];
	return 0;
}

/* A packet's dynptr's slice outlives a store over its dynptr (measured on Linux 6.18). */
SEC("tc") int packet_data_after_store_over_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	*(volatile __u8 *)&ptr = 0;
	sink = bytes[1];
	return 0;
}

/* bpf_dynptr_slice of a map value's dynptr, then its dynptr stored over. */
SEC("tc") int memory_slice_after_store_over_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[4] = {};
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	*(volatile __u8 *)&ptr = 0;
	sink = bytes[1];
	return 0;
}

/* bpf_dynptr_slice of a map value's dynptr, then a dynptr made there again. */
SEC("tc") int memory_slice_after_dynptr_made_again(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char buffer[4] = {};
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_slice(&ptr, 0, buffer, sizeof(buffer));
	if (!bytes)
		return 0;
	if (blob_dynptr(&ptr))
		return 0;
	sink = bytes[1];
	return 0;
}

/* bpf_dynptr_data of a packet's dynptr, then the packet pulled. */
SEC("tc") int packet_data_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	bpf_dynptr_from_skb(skb, 0, &ptr);
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	bpf_skb_pull_data(skb, 0);
	sink = bytes[1];
	return 0;
}

/* A map value's dynptr data, then its dynptr's first byte stored over. */
SEC("tc") int data_after_store_over_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	*(volatile __u8 *)&ptr = 0;
	sink = bytes[1];
	return 0;
}

/* A store over its last byte. */
SEC("tc") int data_after_store_over_last_byte(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	*((volatile __u8 *)&ptr + 15) = 0;
	sink = bytes[1];
	return 0;
}

/* A store over another dynptr leaves this one's data: accepted. */
SEC("tc") int data_after_store_over_other_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr, other;
	__u8 *bytes;

	if (blob_dynptr(&ptr) || blob_dynptr(&other))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	*(volatile __u8 *)&other = 0;
	sink = bytes[1];
	return 0;
}

/* A dynptr made again where it was. */
SEC("tc") int data_after_dynptr_made_again(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	if (blob_dynptr(&ptr))
		return 0;
	sink = bytes[1];
	return 0;
}

/* A pull moves no map value: accepted. */
SEC("tc") int data_after_pull(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	bpf_skb_pull_data(skb, 0);
	sink = bytes[1];
	return 0;
}

static int store_into(__u32 index, void *context)
{
	*(volatile __u32 *)context = 7;
	return 0;
}

static int leave_alone(__u32 index, void *context)
{
	sink = index;
	return 0;
}

/* A bpf_loop callback stores over the dynptr it was given. */
SEC("tc") int data_after_callback_store(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	bpf_loop(2, store_into, &ptr, 0);
	sink = bytes[1];
	return 0;
}

/* A bpf_loop callback given it that stores nothing there: accepted. */
SEC("tc") int data_after_callback_leaves_it(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 *bytes;

	if (blob_dynptr(&ptr))
		return 0;
	bytes = bpf_dynptr_data(&ptr, 0, 4);
	if (!bytes)
		return 0;
	bpf_loop(2, leave_alone, &ptr, 0);
	sink = bytes[1];
	return 0;
}

char _license[] SEC("license") = "GPL";
