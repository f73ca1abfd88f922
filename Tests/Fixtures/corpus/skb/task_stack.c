/* bpf_get_task_stack on the running task: the buffer size (u32 @14, at most 1024) and the
 * flags (u32 @18); the result is the return value. Only lengths and refusals are the same on
 * every machine: the addresses are the kernel's (randomised) or the caller's. */
#include "skb_helpers.h"

static void *(*bpf_get_current_task_btf)(void) = (void *)158;
static long (*bpf_get_task_stack)(void *task, void *buf, __u32 size, __u64 flags) = (void *)141;

__u64 frames[128];

SEC("tc")
int task_stack(struct __sk_buff *skb)
{
	struct { __u32 size, flags; } in;
	void *task = bpf_get_current_task_btf();

	if (bpf_skb_load_bytes(skb, 14, &in, sizeof(in)))
		return -1000;
	if (in.size > sizeof(frames))
		return -1000;
	return bpf_get_task_stack(task, frames, in.size, in.flags);
}

char _license[] SEC("license") = "GPL";
