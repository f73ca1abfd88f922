/* Map iteration and strings: for_each_map_elem over a BTF-defined array and a legacy hash map,
 * a per-CPU lookup by CPU, strtol/strtoul/strncmp on packet text, snprintf, probe reads and
 * local dynptrs. Results go into the packet. */
#include "skb_helpers.h"

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

struct bpf_map_def SEC("maps") seen = {
	.type = MAP_HASH, .key_size = 4, .value_size = 8, .max_entries = 16,
};

struct {
	__uint(type, MAP_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

/* Local dynptrs take map values only (the verifier refuses stack memory for them). */
struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} scratch SEC(".maps");

struct {
	__uint(type, MAP_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct walk { __u64 sum; __u32 stop_at; __u32 visits; };

static long add_value(void *map, __u32 *key, __u64 *value, struct walk *walk)
{
	walk->visits++;
	walk->sum += *value;
	*value += 1;
	return *key == walk->stop_at ? 1 : 0;
}

static long count_seen(void *map, __u32 *key, __u64 *value, struct walk *walk)
{
	walk->visits++;
	walk->sum += *key + *value;
	return 0;
}

/* Eight values (u64 @14..77) go into the array, four keys (u32 @78..93) into the hash; the
 * walk stops at the key @94. Output @98: array walk result, visits, sum; hash walk result,
 * visits, sum (s64 each), and the array's value 0 after the walk. */
int walk_maps(struct __sk_buff *skb)
{
	__u64 in[8];
	__u32 keys[4], stop;
	struct walk walk = {};
	__s64 out[7];

	if (bpf_skb_load_bytes(skb, 14, in, 64) || bpf_skb_load_bytes(skb, 78, keys, 16) ||
	    bpf_skb_load_bytes(skb, 94, &stop, 4))
		return 2;
	for (__u32 i = 0; i < 8; i++)
		bpf_map_update_elem(&values, &i, &in[i], 0);
	for (int i = 0; i < 4; i++) {
		__u64 v = keys[i] * 3;
		bpf_map_update_elem(&seen, &keys[i], &v, 0);
	}
	walk.stop_at = stop;
	out[0] = bpf_for_each_map_elem(&values, add_value, &walk, 0);
	out[1] = walk.visits;
	out[2] = walk.sum;
	walk.visits = 0;
	walk.sum = 0;
	out[3] = bpf_for_each_map_elem(&seen, count_seen, &walk, 0);
	/* Flags are reserved: EINVAL, and the callback never runs. */
	if (bpf_for_each_map_elem(&seen, count_seen, &walk, 1) != -22)
		return 3;
	out[4] = walk.visits;
	out[5] = walk.sum;
	__u32 zero = 0;
	__u64 *first = bpf_map_lookup_elem(&values, &zero);
	out[6] = first ? *first : -1;
	bpf_skb_store_bytes(skb, 98, out, sizeof(out), 0);
	return 0;
}

SEC("tc")
int walk(struct __sk_buff *skb)
{
	return walk_maps(skb);
}

/* Flags for strtol and strtoul (u32 @14), the text (16 bytes @18). Output @34: strtol result
 * and value, strtoul result and value, strncmp against "tcx" (s64 each). */
SEC("tc")
int parse_text(struct __sk_buff *skb)
{
	char text[16];
	__u32 flags;
	long value = 0;
	unsigned long uvalue = 0;
	__s64 out[5];

	if (bpf_skb_load_bytes(skb, 14, &flags, 4) || bpf_skb_load_bytes(skb, 18, text, 16))
		return 2;
	out[0] = bpf_strtol(text, sizeof(text), flags, &value);
	out[1] = value;
	out[2] = bpf_strtoul(text, sizeof(text), flags, &uvalue);
	out[3] = uvalue;
	out[4] = bpf_strncmp(text, 4, "tcx");
	bpf_skb_store_bytes(skb, 34, out, sizeof(out), 0);
	return 0;
}

/* snprintf of two numbers @14 into 24 bytes @30 (the result @22); probe reads; local dynptrs;
 * the per-CPU lookup of CPU 0 and of a CPU that does not exist. Results @54.. as s64. */
SEC("tc")
int format_and_read(struct __sk_buff *skb)
{
	__u64 args[2];
	char buf[24];
	__s64 out[12];
	__u8 copy[8], src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char name[8] = "abc";
	struct bpf_dynptr ptr;
	__u32 zero = 0;
	__u8 *area = bpf_map_lookup_elem(&scratch, &zero);

	if (!area || bpf_skb_load_bytes(skb, 14, args, 8))
		return 2;
	__builtin_memset(area, 0, 16);
	args[1] = args[0] >> 32;
	args[0] &= 0xffffffff;
	__builtin_memset(buf, 0, sizeof(buf));
	long n = bpf_snprintf(buf, sizeof(buf), "v=%u/%x!", args, sizeof(args));
	bpf_skb_store_bytes(skb, 22, &n, 8, 0);
	bpf_skb_store_bytes(skb, 30, buf, 24, 0);

	out[0] = bpf_probe_read_kernel(copy, 8, src);
	out[1] = copy[0] + copy[7];
	out[2] = bpf_probe_read_kernel(copy, 8, (void *)0);
	out[3] = copy[0];
	out[4] = bpf_probe_read_user(copy, 8, src);
	out[5] = bpf_probe_read_kernel_str(copy, 8, name);
	out[6] = bpf_dynptr_from_mem(area, 16, 0, &ptr);
	out[7] = bpf_dynptr_write(&ptr, 4, src, 8, 0);
	out[8] = bpf_dynptr_read(copy, 8, &ptr, 10, 0);
	__u8 *slice = bpf_dynptr_data(&ptr, 8, 4);
	out[9] = slice ? slice[0] : -1;
	__u64 *mine = bpf_map_lookup_percpu_elem(&per_cpu, &zero, 0);
	__u64 *none = bpf_map_lookup_percpu_elem(&per_cpu, &zero, 100000);
	out[10] = (mine ? 1 : 0) | (none ? 2 : 0);
	out[11] = area[4] + area[11];
	bpf_skb_store_bytes(skb, 54, out, sizeof(out), 0);
	return 0;
}

/* Ring buffer dynptrs: reserve the size @14 (u32) with the flags @18 (u32), write 8 bytes at the
 * offset @22 (u32), read them back, submit or discard (byte @26). Results @28 as s64. */
SEC("tc")
int ring_dynptr(struct __sk_buff *skb)
{
	struct { __u32 size, flags, offset; __u8 submit; } __attribute__((packed)) in;
	struct bpf_dynptr ptr;
	__u8 data[8] = { 9, 8, 7, 6, 5, 4, 3, 2 }, back[8] = {};
	__s64 out[4];

	if (bpf_skb_load_bytes(skb, 14, &in, sizeof(in)))
		return 2;
	out[0] = bpf_ringbuf_reserve_dynptr(&events, in.size, in.flags, &ptr);
	out[1] = bpf_dynptr_write(&ptr, in.offset, data, 8, 0);
	out[2] = bpf_dynptr_read(back, 8, &ptr, in.offset, 0);
	out[3] = back[0] + back[7];
	if (in.submit)
		bpf_ringbuf_submit_dynptr(&ptr, 0);
	else
		bpf_ringbuf_discard_dynptr(&ptr, 0);
	bpf_skb_store_bytes(skb, 28, out, sizeof(out), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
