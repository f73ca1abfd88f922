/* What a function running in a frame above its caller's may do with the frames below: a
 * static function or a callback may not leave a pointer to its own stack in its caller's frame,
 * a callback hands its caller's helper a number in r0, a callback's context is stack memory
 * (not the packet), and callbacks nest at most eight frames deep. Written for swift-tcx; the
 * kernel's verdicts are recorded in frame_rules.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked, noinline, used))

static long (*loop)(__u32 count, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;

struct holder {
	void *pointer;
	__u64 number;
};

static long keep_own_address(__u32 index, struct holder *holder)
{
	volatile __u64 local = 7;

	holder->pointer = (void *)&local;
	return 0;
}

/* The callback's frame is gone once it returns. */
SEC("tc") int callback_leaves_own_address(struct __sk_buff *skb)
{
	struct holder holder = { 0, 0 };

	loop(1, keep_own_address, &holder, 0);
	return holder.pointer != 0;
}

static __attribute__((noinline)) int static_keeps_own_address(struct holder *holder)
{
	volatile __u64 local = 7;

	holder->pointer = (void *)&local;
	return 0;
}

/* So is a static function's. */
SEC("tc") int static_leaves_own_address(struct __sk_buff *skb)
{
	struct holder holder = { 0, 0 };

	static_keeps_own_address(&holder);
	return holder.pointer != 0;
}

static long keep_number(__u32 index, struct holder *holder)
{
	holder->number = index;
	return 0;
}

/* A number left in the caller's frame is fine. */
SEC("tc") int callback_leaves_number(struct __sk_buff *skb)
{
	struct holder holder = { 0, 0 };

	loop(3, keep_number, &holder, 0);
	return holder.number;
}

NAKED static long returns_nothing(void)
{
	asm volatile ("exit;" ::: "memory");
}

/* r0 never set in the callback. */
SEC("tc") int callback_without_r0(struct __sk_buff *skb)
{
	loop(1, returns_nothing, 0, 0);
	return 0;
}

static long reads_first_byte(__u32 index, __u8 *bytes)
{
	return bytes[0] & 1;
}

/* The packet as the callback's context. */
SEC("tc") int packet_as_callback_context(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;

	if (data + 1 > end)
		return 0;
	loop(1, reads_first_byte, data, 0);
	return 0;
}

#define NEST(level, inner) \
	static long nest##level(__u32 index, void *ctx) { loop(1, inner, ctx, 0); return 0; }
static long nest8(__u32 index, void *ctx)
{
	return 0;
}
NEST(7, nest8)
NEST(6, nest7)
NEST(5, nest6)
NEST(4, nest5)
NEST(3, nest4)
NEST(2, nest3)
NEST(1, nest2)

/* The program's frame and eight callbacks: one frame too many. */
SEC("tc") int nine_frames(struct __sk_buff *skb)
{
	loop(1, nest1, 0, 0);
	return 0;
}

/* The program's frame and seven callbacks. */
SEC("tc") int eight_frames(struct __sk_buff *skb)
{
	loop(1, nest2, 0, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
