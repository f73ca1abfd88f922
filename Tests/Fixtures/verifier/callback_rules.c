/* Callbacks a helper runs during the call (bpf_loop, bpf_for_each_map_elem), followed as the
 * kernel follows them: on the caller's path, in a frame above the caller's, as many times as
 * the loop's count allows, with the caller's stack seen through the context pointer. Written
 * for swift-tcx; the kernel's verdicts and results are recorded in callback_rules.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked, noinline, used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*loop)(__u32 count, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;
static long (*for_each_map_elem)(void *map, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_for_each_map_elem;
static void *(*ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)BPF_FUNC_ringbuf_reserve;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[7]);
} seven SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[6]);
} six SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct tally {
	__u64 steps;
	__u64 unused;
};

static long add_one(__u32 index, struct tally *tally)
{
	tally->steps += 1;
	return 0;
}

/* Up to three steps for each of up to two outer runs. */
static long add_up_to_three(__u32 index, struct tally *tally)
{
	loop(3, add_one, tally, 0);
	return 0;
}

/* steps ends between 0 and 6: every byte of a 7-byte value may be read with it. */
SEC("tc") int nested_steps_within_seven(struct __sk_buff *skb)
{
	struct tally tally = { 0, 0 };
	__u32 key = 0;
	__u8 *bytes = map_lookup_elem(&seven, &key);

	if (!bytes)
		return 0;
	loop(2, add_up_to_three, &tally, 0);
	return bytes[tally.steps];
}

/* The same count reads one byte past a 6-byte value when both loops run in full. */
SEC("tc") int nested_steps_past_six(struct __sk_buff *skb)
{
	struct tally tally = { 0, 0 };
	__u32 key = 0;
	__u8 *bytes = map_lookup_elem(&six, &key);

	if (!bytes)
		return 0;
	loop(2, add_up_to_three, &tally, 0);
	return bytes[tally.steps];
}

/* What the nested loops count when run: 2 x 3. */
SEC("tc") int nested_steps_counted(struct __sk_buff *skb)
{
	struct tally tally = { 0, 0 };

	loop(2, add_up_to_three, &tally, 0);
	return tally.steps;
}

/* A count only the packet knows: the number of steps decides nothing, so the loop's states
 * repeat and the analysis ends however large the count may be. */
SEC("tc") int steps_of_unknown_count(struct __sk_buff *skb)
{
	struct tally tally = { 0, 0 };

	loop(skb->len, add_one, &tally, 0);
	return tally.steps;
}

static long add_one_to_value(void *map, __u32 *key, __u64 *value, struct tally *tally)
{
	*value += 1;
	tally->steps += 1;
	return 0;
}

/* Every element once, counted in the caller's stack. */
SEC("tc") int each_slot_counted(struct __sk_buff *skb)
{
	struct tally tally = { 0, 0 };

	for_each_map_elem(&slots, add_one_to_value, &tally, 0);
	return tally.steps;
}

/* bpf_loop passes two arguments: r3 is not set in the callback. */
NAKED static long reads_third_argument(void)
{
	asm volatile ("r0 = r3;"
		      "r0 &= 1;"
		      "exit;" ::: "memory");
}

SEC("tc") int callback_reads_r3(struct __sk_buff *skb)
{
	loop(1, reads_third_argument, 0, 0);
	return 0;
}

/* A callback returns 0 or 1. */
static long returns_two(__u32 index, void *ctx)
{
	return 2;
}

SEC("tc") int callback_returns_two(struct __sk_buff *skb)
{
	loop(1, returns_two, 0, 0);
	return 0;
}

/* A record reserved in the callback must be released there. */
static long reserves_and_keeps(__u32 index, void *ctx)
{
	void *record = ringbuf_reserve(&events, 8, 0);

	return record ? 1 : 0;
}

SEC("tc") int callback_keeps_reservation(struct __sk_buff *skb)
{
	loop(1, reserves_and_keeps, 0, 0);
	return 0;
}

struct pair {
	__u64 changing;
	__u64 fixed;
};

static long reset_changing(__u32 index, struct pair *pair)
{
	pair->changing = 0;
	return 0;
}

/* The loop may run no time at all: changing may still be 32, past a 7-byte value. */
SEC("tc") int no_run_keeps_the_start(struct __sk_buff *skb)
{
	struct pair pair = { 32, 0 };
	__u32 key = 0;
	__u8 *bytes = map_lookup_elem(&seven, &key);

	if (!bytes)
		return 0;
	loop(100, reset_changing, &pair, 0);
	return bytes[pair.changing];
}

static long bump_changing(__u32 index, struct pair *pair)
{
	pair->changing += 1;
	return 0;
}

/* A hundred runs change one number and leave the other as it was, an index within bounds. */
SEC("tc") int untouched_number_stays_known(struct __sk_buff *skb)
{
	struct pair pair = { 0, 6 };
	__u32 key = 0;
	__u8 *bytes = map_lookup_elem(&seven, &key);

	if (!bytes)
		return 0;
	loop(100, bump_changing, &pair, 0);
	return bytes[pair.fixed];
}

struct found {
	__u64 *value;
	__u64 unused;
};

static long look_up_first(__u32 index, struct found *found)
{
	__u32 key = 0;

	found->value = map_lookup_elem(&slots, &key);
	return 0;
}

/* The lookup the callback left in the caller's frame may be NULL (or never made). */
SEC("tc") int callback_lookup_unchecked(struct __sk_buff *skb)
{
	struct found found = { 0, 0 };

	loop(1, look_up_first, &found, 0);
	if (found.unused)
		return 0;
	return *(volatile __u64 *)found.value;
}

/* The same lookup compared with NULL first. */
SEC("tc") int callback_lookup_checked(struct __sk_buff *skb)
{
	struct found found = { 0, 0 };

	loop(1, look_up_first, &found, 0);
	if (!found.value)
		return 0;
	return *found.value;
}

static long forget_value(__u32 index, struct found *found)
{
	found->value = 0;
	return 0;
}

/* A pointer checked before the loop is a number once a run of the callback replaces it. */
SEC("tc") int callback_replaces_checked_pointer(struct __sk_buff *skb)
{
	struct found found = { 0, 0 };
	__u32 key = 0;

	found.value = map_lookup_elem(&slots, &key);
	if (!found.value)
		return 0;
	loop(5, forget_value, &found, 0);
	return *(volatile __u64 *)found.value;
}

static long store_at_index(__u32 index, __u64 *words)
{
	words[index & 7] = index;
	return 0;
}

/* The callback's index, masked to 0-7, indexes the caller's four words. */
SEC("tc") int callback_index_past_caller_array(struct __sk_buff *skb)
{
	__u64 words[4] = {};

	loop(100, store_at_index, words, 0);
	return words[1];
}

char _license[] SEC("license") = "GPL";
