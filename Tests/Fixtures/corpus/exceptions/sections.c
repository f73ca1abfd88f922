/* Preemption and interrupts turned off for a while: bpf_preempt_disable/enable nest (the
 * program may disable twice, enable twice, and call helpers and static functions between),
 * bpf_local_irq_save/restore nest newest first. Throwing from inside a static function after
 * every section closed ends the program as usual. The answer depends on the packet so a run
 * shows the sections did not change what the program computes. Global functions may be
 * called inside a section.
 * Written for swift-tcx; the kernel's results are recorded in sections.tcx. */
#include "exceptions.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

static __attribute__((noinline)) int add_total(__u64 amount)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&totals, &key);

	if (!value)
		return 0;
	*value += amount;
	return (int)*value;
}

/* Returns with preemption still off: its caller turns it back on. */
static __attribute__((noinline)) int disable_and_add(__u64 amount)
{
	bpf_preempt_disable();
	return add_total(amount);
}

SEC("tc") int preempt_nested(struct __sk_buff *skb)
{
	__u8 op = 0;
	__u64 cookie = 0;
	int total;

	if (read_request(skb, &op, &cookie))
		return -1;
	bpf_preempt_disable();
	total = disable_and_add(cookie);
	bpf_preempt_enable();
	bpf_preempt_enable();
	if (op == 1)
		bpf_throw(total + 1000);
	return total;
}

SEC("tc") int irq_nested(struct __sk_buff *skb)
{
	unsigned long outer, inner;
	__u8 op = 0;
	__u64 cookie = 0;
	int total;

	if (read_request(skb, &op, &cookie))
		return -1;
	bpf_local_irq_save(&outer);
	bpf_local_irq_save(&inner);
	total = add_total(cookie);
	bpf_local_irq_restore(&inner);
	bpf_local_irq_restore(&outer);
	if (op == 1)
		bpf_throw(total + 2000);
	return total;
}

/* Called inside both kinds of section below. */
__attribute__((noinline)) int global_work(int x)
{
	return x * 3;
}

SEC("tc") int global_in_preempt(struct __sk_buff *skb)
{
	int r;

	bpf_preempt_disable();
	r = global_work(skb->len);
	bpf_preempt_enable();
	return r;
}

SEC("tc") int global_in_irq(struct __sk_buff *skb)
{
	unsigned long flags;
	int r;

	bpf_local_irq_save(&flags);
	r = global_work(skb->len) + 1;
	bpf_local_irq_restore(&flags);
	return r;
}

char _license[] SEC("license") = "GPL";
