/* Packet pointers a static function hands back to its caller through the caller's stack, after it
 * may have moved the packet (issue 12, Linux 6.18): a packet-changing helper ends the pointers of
 * every frame when it is called, and fresh ones taken after it live on after the return; a tail
 * call that succeeds returns to the caller at once, with every frame's pointers ended. Written
 * for swift-tcx; the kernel's verdicts are recorded in packet_handback.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define NOINLINE __attribute__((noinline))

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jump_table SEC(".maps");

static long (*tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
static long (*pull_data)(struct __sk_buff *skb, __u32 len) = (void *)39;

/* Where a callee leaves a window on the packet for its caller. */
struct window {
	__u8 *start;
	__u8 *end;
};

/* Takes a window of the packet as it is now. */
static __always_inline void take_window(struct __sk_buff *skb, struct window *w)
{
	w->start = (void *)(long)skb->data;
	w->end = (void *)(long)skb->data_end;
}

/* Pulls, then hands back a window taken afterwards. */
static NOINLINE int pull_then_hand_back(struct __sk_buff *skb, struct window *w)
{
	if (pull_data(skb, 14))
		return -1;
	take_window(skb, w);
	return 0;
}

/* Hands back a window, then pulls: the window is stale. */
static NOINLINE int hand_back_then_pull(struct __sk_buff *skb, struct window *w)
{
	take_window(skb, w);
	pull_data(skb, 14);
	return 0;
}

/* Tail-calls, then hands back a window taken afterwards. */
static NOINLINE int tail_call_then_hand_back(struct __sk_buff *skb, struct window *w)
{
	tail_call(skb, &jump_table, 0);
	take_window(skb, w);
	return 0;
}

/* Hands back a window, then tail-calls. */
static NOINLINE int hand_back_then_tail_call(struct __sk_buff *skb, struct window *w)
{
	take_window(skb, w);
	tail_call(skb, &jump_table, 0);
	return 0;
}

/* Reaches a tail call one level further down, then hands back a fresh window. */
static NOINLINE int nested_tail_call_then_hand_back(struct __sk_buff *skb, struct window *w)
{
	tail_call_then_hand_back(skb, w);
	take_window(skb, w);
	return 0;
}

/* Tail-calls only when asked to, then hands back a fresh window. */
static NOINLINE int maybe_tail_call_then_hand_back(struct __sk_buff *skb, struct window *w, int jump)
{
	if (jump)
		tail_call(skb, &jump_table, 0);
	take_window(skb, w);
	return 0;
}

/* Reads the first byte of a window, if it holds one. */
static __always_inline int first_byte(struct window *w)
{
	if (w->start + 1 > w->end)
		return 0;
	return *w->start;
}

SEC("tc") int reads_window_taken_after_pull(struct __sk_buff *skb)
{
	struct window w;

	if (pull_then_hand_back(skb, &w))
		return 2;
	return first_byte(&w) == 0x45 ? 0 : 2;
}

SEC("tc") int reads_window_taken_before_pull(struct __sk_buff *skb)
{
	struct window w;

	hand_back_then_pull(skb, &w);
	return first_byte(&w) == 0x45 ? 0 : 2;
}

SEC("tc") int reads_window_taken_after_tail_call(struct __sk_buff *skb)
{
	struct window w;

	tail_call_then_hand_back(skb, &w);
	return first_byte(&w) == 0x45 ? 0 : 2;
}

SEC("tc") int reads_window_taken_before_tail_call(struct __sk_buff *skb)
{
	struct window w;

	hand_back_then_tail_call(skb, &w);
	return first_byte(&w) == 0x45 ? 0 : 2;
}

SEC("tc") int reads_window_after_nested_tail_call(struct __sk_buff *skb)
{
	struct window w;

	nested_tail_call_then_hand_back(skb, &w);
	return first_byte(&w) == 0x45 ? 0 : 2;
}

/* A window the caller took itself, read after a callee that pulls and hands back another. */
SEC("tc") int reads_own_window_after_pull(struct __sk_buff *skb)
{
	struct window mine, theirs;

	take_window(skb, &mine);
	if (pull_then_hand_back(skb, &theirs))
		return 2;
	return first_byte(&mine) == 0x45 ? 0 : 2;
}

/* The tail call sits on a branch this path never takes (the verifier knows jump is 0). */
SEC("tc") int reads_window_after_untaken_tail_call(struct __sk_buff *skb)
{
	volatile int jump = 0;
	struct window w;

	maybe_tail_call_then_hand_back(skb, &w, jump);
	return first_byte(&w) == 0x45 ? 0 : 2;
}

char _license[] SEC("license") = "GPL";
