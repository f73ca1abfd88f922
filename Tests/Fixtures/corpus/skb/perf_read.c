/* perf_event_read and perf_event_read_value on a perf event array with no event in it: the
 * flags (an index, BPF_F_CURRENT_CPU, unknown bits) and the value's size decide the errno, and
 * read_value clears its buffer when it fails. The packet carries the flags at byte 14 and a
 * selector at byte 22; the answers go back at byte 26 (read), 34 (read_value) and 42 (buffer). */
#include "skb_helpers.h"

#define BPF_MAP_TYPE_PERF_EVENT_ARRAY 4

struct perf_value {
	__u64 counter, enabled, running;
};

static long (*perf_event_read)(void *map, __u64 flags) = (void *)22;
static long (*perf_event_read_value)(void *map, __u64 flags, struct perf_value *value, __u32 size) = (void *)55;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} events SEC(".maps");

SEC("tc") int read_counters(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct perf_value value;
	__u64 flags, answers[2];

	if (data + 66 > end)
		return 1;
	__builtin_memcpy(&flags, data + 14, 8);
	__builtin_memset(&value, 0xff, sizeof(value));
	answers[0] = perf_event_read(&events, flags);
	if (*(__u8 *)(data + 22))
		answers[1] = perf_event_read_value(&events, flags, &value, 16);
	else
		answers[1] = perf_event_read_value(&events, flags, &value, sizeof(value));
	__builtin_memcpy(data + 26, answers, 16);
	__builtin_memcpy(data + 42, &value, 24);
	return 0;
}

char _license[] SEC("license") = "GPL";
