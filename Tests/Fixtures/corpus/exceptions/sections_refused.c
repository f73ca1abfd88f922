/* What the kernel refuses around preemption and interrupt sections, each its own program:
 * exits that leave one open, an enable without a disable, restores out of order or of a flag
 * never saved, a flag not on the stack, a tail call inside a section.
 * Written for swift-tcx; the kernel's verdicts are recorded in sections_refused.tcx. */
#include "exceptions.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} flags_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} jumps SEC(".maps");

SEC("tc") int exit_preempt_off(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	if (skb->len > 10)
		return 1;
	bpf_preempt_enable();
	return 0;
}

SEC("tc") int enable_unmatched(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_preempt_enable();
	if (skb->len > 10)
		bpf_preempt_enable();
	return 0;
}

SEC("tc") int exit_irq_off(struct __sk_buff *skb)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	if (skb->len > 10)
		return 1;
	bpf_local_irq_restore(&flags);
	return 0;
}

SEC("tc") int restore_out_of_order(struct __sk_buff *skb)
{
	unsigned long a, b;

	bpf_local_irq_save(&a);
	bpf_local_irq_save(&b);
	bpf_local_irq_restore(&a);
	bpf_local_irq_restore(&b);
	return 0;
}

SEC("tc") int restore_never_saved(struct __sk_buff *skb)
{
	unsigned long a = 0;

	bpf_local_irq_restore(&a);
	return 0;
}

SEC("tc") int flag_in_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&flags_map, &key);

	if (!value)
		return 0;
	bpf_local_irq_save((unsigned long *)value);
	bpf_local_irq_restore((unsigned long *)value);
	return 0;
}

SEC("tc") int tail_call_in_preempt(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	bpf_tail_call(skb, &jumps, 0);
	bpf_preempt_enable();
	return 0;
}

char _license[] SEC("license") = "GPL";
