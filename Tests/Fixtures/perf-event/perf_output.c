/* perf_output.c — a tc program of swift-tcx's perf event tests, in the style libbpf users
 * write (uapi header, SEC(), a BTF map definition, helpers declared by id).
 *
 * A request packet drives one bpf_perf_event_output call: after 14 bytes of Ethernet come a
 * u32 tag, a u32 spare, a u64 value and the u64 flags to pass (index and BPF_F_CTXLEN bits).
 * The sample is the tag and value (12 bytes), then the packet bytes the flags ask for. The
 * helper's result is written back over the packet at byte 38. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static long (*perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) = (void *)BPF_FUNC_perf_event_output;

/* No max_entries: the loader gives one slot per possible CPU, as libbpf does. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct request {
	__u32 tag;
	__u32 spare;
	__u64 value;
	__u64 flags;
};

#define REQUEST_AT 14
#define ANSWER_AT 38

SEC("tc")
int emit_event(struct __sk_buff *skb)
{
	struct request req;
	__u8 meta[12];

	if (skb_load_bytes(skb, REQUEST_AT, &req, sizeof(req)))
		return 2;
	__builtin_memcpy(meta, &req.tag, 4);
	__builtin_memcpy(meta + 4, &req.value, 8);
	__s64 result = perf_event_output(skb, &events, req.flags, meta, sizeof(meta));
	skb_store_bytes(skb, ANSWER_AT, &result, sizeof(result), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
