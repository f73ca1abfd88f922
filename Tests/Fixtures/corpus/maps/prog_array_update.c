// A prog array that no static 'values' fills: the script puts programs in its slots with
// `map-update FILE MAP KEY prog=PROG` (the value is the program's fd, as a loader passes it).
// jump_from tail-calls slot 0 and answers 1 when the slot is empty; land_a and land_b answer
// 10 and 20. A non-program map (plain) shows that prog= still passes a 4-byte fd value.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

SEC("tc")
int land_a(struct __sk_buff *skb)
{
	return 10;
}

SEC("tc")
int land_b(struct __sk_buff *skb)
{
	return 20;
}

SEC("tc")
int jump_from(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &slots, 0);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
