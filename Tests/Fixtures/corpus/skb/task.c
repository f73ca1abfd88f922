/* Helpers about the calling task whose answers do not depend on the machine: signals that
 * send nothing (0) or are not signals, and the branch-record snapshot. Results as s32 @14.. */
#include "skb_helpers.h"

static long (*bpf_send_signal)(__u32 sig) = (void *)109;
static long (*bpf_send_signal_thread)(__u32 sig) = (void *)117;
static long (*bpf_get_branch_snapshot)(void *entries, __u32 size, __u64 flags) = (void *)176;

SEC("tc")
int task_facts(struct __sk_buff *skb)
{
	__s32 out[7];
	__u64 entries[6];

	out[0] = bpf_send_signal(0);
	out[1] = bpf_send_signal(65);
	out[2] = bpf_send_signal_thread(0);
	out[3] = bpf_send_signal_thread(100);
	out[4] = bpf_get_branch_snapshot(entries, sizeof(entries), 0);
	out[5] = bpf_get_branch_snapshot(entries, 20, 0);
	out[6] = bpf_get_branch_snapshot(entries, sizeof(entries), 1);
	bpf_skb_store_bytes(skb, 14, out, sizeof(out), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
