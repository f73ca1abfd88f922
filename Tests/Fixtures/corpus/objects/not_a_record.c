/* An object bpf_obj_new allocated holds a reference of its own, as a ring buffer record does,
 * but is no record: bpf_ringbuf_submit and bpf_ringbuf_discard refuse it (R1 type=ptr_
 * expected=ringbuf_mem), and bpf_obj_drop ends it. Written for swift-tcx; recorded in
 * not_a_record.tcx. */
#include "objects.h"

static void (*ringbuf_submit)(void *data, __u64 flags) = (void *)BPF_FUNC_ringbuf_submit;
static void (*ringbuf_discard)(void *data, __u64 flags) = (void *)BPF_FUNC_ringbuf_discard;

struct thing {
	__u64 value;
};

SEC("tc")
int object_submitted(struct __sk_buff *skb)
{
	struct thing *t = new_object(struct thing);

	if (!t)
		return 0;
	ringbuf_submit(t, 0);
	return 0;
}

SEC("tc")
int object_discarded(struct __sk_buff *skb)
{
	struct thing *t = new_object(struct thing);

	if (!t)
		return 0;
	ringbuf_discard(t, 0);
	return 0;
}

SEC("tc")
int object_dropped(struct __sk_buff *skb)
{
	struct thing *t = new_object(struct thing);

	if (!t)
		return 0;
	drop_object(t);
	return 1;
}

char _license[] SEC("license") = "GPL";
