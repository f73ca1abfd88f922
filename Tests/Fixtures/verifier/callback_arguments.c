/* What the kernel hands a callback, and what the callback may do with it (issue 12): a
 * bpf_user_ringbuf_drain callback gets its sample as a pointer to the kernel's own dynptr
 * (read through dynptr helpers only: no load, no store, no offset, never made again or
 * released), a bpf_for_each_map_elem callback the map, its key (read-only, key_size bytes) and
 * its value. The kernel's verdicts, recorded on Linux 6.18, are in callback_arguments.tcx.
 * Written for swift-tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, t) t *field

static long (*drain)(void *map, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_user_ringbuf_drain;
static long (*for_each)(void *map, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_for_each_map_elem;
static long (*dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) =
	(void *)BPF_FUNC_dynptr_read;
static void (*discard_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)BPF_FUNC_ringbuf_discard_dynptr;
static long (*dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr) =
	(void *)BPF_FUNC_dynptr_from_mem;
static void *(*lookup)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)BPF_FUNC_probe_read_kernel;

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* --- bpf_user_ringbuf_drain: the sample --- */

static long read_sample(struct bpf_dynptr *sample, void *ctx)
{
	__u64 first = 0;
	dynptr_read(&first, sizeof(first), sample, 0, 0);
	return first & 1;
}

static long store_into_sample(struct bpf_dynptr *sample, void *ctx)
{
	*(volatile __u64 *)sample = 7;
	return 0;
}

static long load_from_sample(struct bpf_dynptr *sample, void *ctx)
{
	return *(volatile __u64 *)sample & 1;
}

static long read_below_sample(struct bpf_dynptr *sample, void *ctx)
{
	__u64 first = 0;
	dynptr_read(&first, sizeof(first), (struct bpf_dynptr *)((char *)sample - 16), 0, 0);
	return 0;
}

static long read_above_sample(struct bpf_dynptr *sample, void *ctx)
{
	__u64 first = 0;
	dynptr_read(&first, sizeof(first), (struct bpf_dynptr *)((char *)sample + 16), 0, 0);
	return 0;
}

static long discard_sample(struct bpf_dynptr *sample, void *ctx)
{
	discard_dynptr(sample, 0);
	return 0;
}

static long remake_sample(struct bpf_dynptr *sample, void *ctx)
{
	__u64 buffer = 0;
	dynptr_from_mem(&buffer, sizeof(buffer), 0, sample);
	return 0;
}

SEC("tc") int drain_reads_sample(struct __sk_buff *skb) { return drain(&samples, read_sample, 0, 0) & 1; }
SEC("tc") int drain_stores_into_sample(struct __sk_buff *skb) { return drain(&samples, store_into_sample, 0, 0) & 1; }
SEC("tc") int drain_loads_from_sample(struct __sk_buff *skb) { return drain(&samples, load_from_sample, 0, 0) & 1; }
SEC("tc") int drain_reads_below_sample(struct __sk_buff *skb) { return drain(&samples, read_below_sample, 0, 0) & 1; }
SEC("tc") int drain_reads_above_sample(struct __sk_buff *skb) { return drain(&samples, read_above_sample, 0, 0) & 1; }
SEC("tc") int drain_discards_sample(struct __sk_buff *skb) { return drain(&samples, discard_sample, 0, 0) & 1; }
SEC("tc") int drain_remakes_sample(struct __sk_buff *skb) { return drain(&samples, remake_sample, 0, 0) & 1; }

/* --- bpf_for_each_map_elem: the map, the key, the value --- */

static long read_key(void *map, __u32 *key, __u64 *value, void *ctx)
{
	return *key & 1;
}

static long write_key(void *map, __u32 *key, __u64 *value, void *ctx)
{
	*(volatile __u32 *)key = 3;
	return 0;
}

static long read_past_key(void *map, __u32 *key, __u64 *value, void *ctx)
{
	return *(volatile __u32 *)(key + 1) & 1;
}

static long look_up_key(void *map, __u32 *key, __u64 *value, void *ctx)
{
	__u64 *found = lookup(&counters, key);
	return found ? *found & 1 : 0;
}

static long fill_key(void *map, __u32 *key, __u64 *value, void *ctx)
{
	probe_read_kernel(key, sizeof(*key), 0);
	return 0;
}

static long read_map(void *map, __u32 *key, __u64 *value, void *ctx)
{
	return *(volatile __u64 *)map & 1;
}

static long bump_value(void *map, __u32 *key, __u64 *value, void *ctx)
{
	*value += *key;
	return 0;
}

SEC("tc") int foreach_reads_key(struct __sk_buff *skb) { return for_each(&counters, read_key, 0, 0) & 1; }
SEC("tc") int foreach_writes_key(struct __sk_buff *skb) { return for_each(&counters, write_key, 0, 0) & 1; }
SEC("tc") int foreach_reads_past_key(struct __sk_buff *skb) { return for_each(&counters, read_past_key, 0, 0) & 1; }
SEC("tc") int foreach_looks_up_key(struct __sk_buff *skb) { return for_each(&counters, look_up_key, 0, 0) & 1; }
SEC("tc") int foreach_fills_key(struct __sk_buff *skb) { return for_each(&counters, fill_key, 0, 0) & 1; }
SEC("tc") int foreach_reads_map(struct __sk_buff *skb) { return for_each(&counters, read_map, 0, 0) & 1; }
SEC("tc") int foreach_bumps_value(struct __sk_buff *skb) { return for_each(&counters, bump_value, 0, 0) & 1; }

char LICENSE[] SEC("license") = "GPL";
