/* A bpf_loop callback's index, and counters the callbacks keep in the caller's stack, used as
 * array indexes: unchecked (EACCES), checked, masked, bounded, and a counter nothing indexes
 * with, counted a million times. Written for swift-tcx; the kernel's verdicts and results are
 * recorded in callback_indexes.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

static long (*loop)(__u32 count, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;

struct tally {
	__u64 count;
	__u64 slots[8];
};

static int store_at_index(__u32 index, struct tally *t)
{
	t->slots[index] = 1;
	return 0;
}

static int store_at_checked_index(__u32 index, struct tally *t)
{
	if (index < 8)
		t->slots[index] = index + 1;
	return 0;
}

static int store_at_masked_index(__u32 index, struct tally *t)
{
	t->slots[index & 7] = index;
	return 0;
}

static int store_at_masked_count(__u32 index, struct tally *t)
{
	t->count++;
	t->slots[t->count & 7] = index;
	return 0;
}

static int store_while_room(__u32 index, struct tally *t)
{
	if (t->count < 8)
		t->slots[t->count++] = index + 10;
	return 0;
}

static int count_only(__u32 index, struct tally *t)
{
	t->count++;
	return 0;
}

SEC("tc") int index_unchecked(struct __sk_buff *skb)
{
	struct tally t = {};
	loop(8, store_at_index, &t, 0);
	return t.slots[3];
}

SEC("tc") int index_checked(struct __sk_buff *skb)
{
	struct tally t = {};
	loop(8, store_at_checked_index, &t, 0);
	return t.slots[3];
}

SEC("tc") int index_masked(struct __sk_buff *skb)
{
	struct tally t = {};
	loop(20, store_at_masked_index, &t, 0);
	return t.slots[3];
}

SEC("tc") int count_masked(struct __sk_buff *skb)
{
	struct tally t = {};
	loop(1000, store_at_masked_count, &t, 0);
	return t.slots[3];
}

SEC("tc") int count_bounded(struct __sk_buff *skb)
{
	struct tally t = {};
	loop(1000, store_while_room, &t, 0);
	return t.slots[3];
}

SEC("tc") int count_a_million(struct __sk_buff *skb)
{
	struct tally t = {};
	loop(1000000, count_only, &t, 0);
	return t.count;
}

SEC("tc") int count_then_index(struct __sk_buff *skb)
{
	struct tally t = {};
	t.slots[5] = 55;
	loop(101, count_only, &t, 0);
	return t.slots[t.count & 7];
}

char _license[] SEC("license") = "GPL";
