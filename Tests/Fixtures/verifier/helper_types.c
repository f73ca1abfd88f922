/* Helper arguments of each kind the kernel's prototypes declare, given a register of the right
 * type (loaded) and of a wrong one (refused: "R2 type=ctx expected=func"). Mostly assembly, so
 * the compiler cannot change which register holds what. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	__u64 *value;
} numbers SEC(".maps");

struct {
	int (*type)[BPF_MAP_TYPE_PROG_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	__u32 *value;
} jumps SEC(".maps");

struct {
	int (*type)[BPF_MAP_TYPE_QUEUE];
	int (*max_entries)[4];
	__u64 *value;
} waiting SEC(".maps");

static void *(*lookup)(void *map, const void *key) = (void *)1;
static long (*loop)(__u32 count, void *callback, void *context, __u64 flags) = (void *)181;
static long (*for_each)(void *map, void *callback, void *context, __u64 flags) = (void *)164;

/* ARG_CONST_MAP_PTR: the queue's push takes the map, not the context. */
SEC("tc") NAKED int push_to_context(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u64 *)(r10 - 8) = r2;"
		"r2 = r10;"
		"r2 += -8;"
		"r3 = 0;"
		"call 87;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int push_to_queue(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u64 *)(r10 - 8) = r2;"
		"r1 = %[waiting] ll;"
		"r2 = r10;"
		"r2 += -8;"
		"r3 = 0;"
		"call 87;"
		"r0 = 0;"
		"exit;" :: [waiting]"i"(&waiting) : "memory");
}

/* tail_call's program array in r2 given as 0. */
SEC("tc") NAKED int tail_call_without_array(void)
{
	asm volatile(
		"r2 = 0;"
		"r3 = 0;"
		"call 12;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_CTX: tail_call's context given as 0. */
SEC("tc") NAKED int tail_call_null_context(void)
{
	asm volatile(
		"r1 = 0;"
		"r2 = %[jumps] ll;"
		"r3 = 0;"
		"call 12;"
		"r0 = 0;"
		"exit;" :: [jumps]"i"(&jumps) : "memory");
}

/* ARG_PTR_TO_CTX_OR_NULL: get_netns_cookie takes NULL, and not a stack pointer. */
SEC("tc") NAKED int netns_cookie_null(void)
{
	asm volatile(
		"r1 = 0;"
		"call 122;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int netns_cookie_stack(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"call 122;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_UNINIT_MEM + ARG_CONST_SIZE: get_ns_current_pid_tgid's result buffer. */
SEC("tc") NAKED int ns_pid_to_stack(void)
{
	asm volatile(
		"r1 = 0;"
		"r2 = 0;"
		"r3 = r10;"
		"r3 += -8;"
		"r4 = 8;"
		"call 120;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int ns_pid_to_context(void)
{
	asm volatile(
		"r3 = r1;"
		"r1 = 0;"
		"r2 = 0;"
		"r4 = 8;"
		"call 120;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* skb_get_xfrm_state's state buffer given as a number. */
SEC("tc") NAKED int xfrm_state_to_number(void)
{
	asm volatile(
		"r2 = 0;"
		"r3 = 0;"
		"r4 = 8;"
		"r5 = 0;"
		"call 66;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_CONST_SIZE: trace_vprintk's format of zero bytes is refused before its data. */
SEC("tc") NAKED int vprintk_zero_format(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 0;"
		"r3 = 0;"
		"r4 = 0;"
		"call 177;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_MEM | PTR_MAYBE_NULL: csum_diff of nothing against nothing. */
SEC("tc") NAKED int csum_diff_nulls(void)
{
	asm volatile(
		"r1 = 0;"
		"r2 = 0;"
		"r3 = 0;"
		"r4 = 0;"
		"r5 = 0;"
		"call 28;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_BTF_ID_SOCK_COMMON: tcp_check_syncookie's socket given the context. */
SEC("tc") NAKED int syncookie_of_context(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u64 *)(r10 - 8) = r2;"
		"*(u64 *)(r10 - 16) = r2;"
		"*(u64 *)(r10 - 24) = r2;"
		"*(u64 *)(r10 - 32) = r2;"
		"*(u64 *)(r10 - 40) = r2;"
		"r2 = r10;"
		"r2 += -40;"
		"r3 = 20;"
		"r4 = r10;"
		"r4 += -20;"
		"r5 = 20;"
		"call 100;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_SPIN_LOCK: a stack pointer is no map value (EACCES, before the lock's own checks). */
SEC("tc") NAKED int spin_lock_on_stack(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"call 93;"
		"r1 = r10;"
		"r1 += -8;"
		"call 94;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_TIMER: timer_init on the stack. */
SEC("tc") NAKED int timer_on_stack(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r10;"
		"r1 += -16;"
		"r2 = %[numbers] ll;"
		"r3 = 0;"
		"call 169;"
		"r0 = 0;"
		"exit;" :: [numbers]"i"(&numbers) : "memory");
}

/* ARG_PTR_TO_FUNC: bpf_loop's callback given the context. */
SEC("tc") NAKED int loop_calls_context(void)
{
	asm volatile(
		"r2 = r1;"
		"r1 = 1;"
		"r3 = 0;"
		"r4 = 0;"
		"call 181;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

static long count_one(__u32 index, void *context)
{
	return 0;
}

SEC("tc") int loop_calls_function(struct __sk_buff *skb)
{
	loop(1, count_one, 0, 0);
	return 0;
}

/* ARG_PTR_TO_STACK_OR_NULL: for_each_map_elem's context must be the stack (or NULL). */
static long visit(void *map, __u32 *key, __u64 *value, void *context)
{
	return 0;
}

SEC("tc") int for_each_with_skb(struct __sk_buff *skb)
{
	for_each(&numbers, visit, skb, 0);
	return 0;
}

SEC("tc") int for_each_with_stack(struct __sk_buff *skb)
{
	__u64 seen = 0;

	for_each(&numbers, visit, &seen, 0);
	return seen;
}

/* ARG_PTR_TO_CONST_STR: snprintf's format must be a read-only map value, not the stack. */
SEC("tc") NAKED int snprintf_format_on_stack(void)
{
	asm volatile(
		"r1 = 0x0a7868;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -16;"
		"r2 = 8;"
		"r3 = r10;"
		"r3 += -8;"
		"r4 = 0;"
		"r5 = 0;"
		"call 165;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_DYNPTR: dynptr_read's source given the context, then a stack slot with no dynptr. */
SEC("tc") NAKED int dynptr_read_from_context(void)
{
	asm volatile(
		"r3 = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 8;"
		"r4 = 0;"
		"r5 = 0;"
		"call 201;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int dynptr_write_without_dynptr(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"*(u64 *)(r10 - 16) = r1;"
		"r1 = r10;"
		"r1 += -16;"
		"r2 = 0;"
		"r3 = 0;"
		"r4 = 0;"
		"r5 = 0;"
		"call 202;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_RINGBUF_MEM: ringbuf_submit of a stack pointer. */
SEC("tc") NAKED int submit_stack(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 0;"
		"call 132;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_FIXED_SIZE_MEM: tcp_raw_check_syncookie_ipv4's headers given the context. */
SEC("tc") NAKED int raw_syncookie_of_context(void)
{
	asm volatile(
		"r2 = r1;"
		"call 206;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_ANYTHING takes a pointer too: redirect's flags given the context. */
SEC("tc") NAKED int redirect_flags_pointer(void)
{
	asm volatile(
		"r2 = r1;"
		"r1 = 1;"
		"call 23;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_PTR_TO_MAP_KEY sized by the map: a queue's key has no bytes, and none may be read. */
SEC("tc") NAKED int lookup_in_queue(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u64 *)(r10 - 8) = r2;"
		"r1 = %[waiting] ll;"
		"r2 = r10;"
		"r2 += -8;"
		"call 1;"
		"r0 = 0;"
		"exit;" :: [waiting]"i"(&waiting) : "memory");
}

/* ARG_PTR_TO_MAP_VALUE sized by the map: four bytes are not the queue's eight. */
SEC("tc") NAKED int push_half_a_value(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u32 *)(r10 - 4) = r2;"
		"r1 = %[waiting] ll;"
		"r2 = r10;"
		"r2 += -4;"
		"r3 = 0;"
		"call 87;"
		"r0 = 0;"
		"exit;" :: [waiting]"i"(&waiting) : "memory");
}

/* ARG_PTR_TO_CONST_STR: a string in a frozen read-only value (.rodata), not in a writable one. */
static long (*compare)(const char *s1, __u32 length, const char *s2) = (void *)182;
static const volatile char greeting[8] = "hello";

SEC("tc") int compare_with_rodata(struct __sk_buff *skb)
{
	char seen[8] = "help";

	return compare(seen, 4, (const char *)greeting) < 0;
}

SEC("tc") int compare_with_writable_value(struct __sk_buff *skb)
{
	char seen[8] = "help";
	__u32 key = 0;
	__u64 *value = lookup(&numbers, &key);

	if (!value)
		return 0;
	return compare(seen, 4, (const char *)value) < 0;
}

/* ARG_PTR_TO_TIMER: the value's bpf_timer, where the map's BTF puts it (EINVAL otherwise). */
struct clock {
	struct bpf_timer timer;
	__u64 ticks;
};

struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	struct clock *value;
} clocks SEC(".maps");

static long (*timer_init)(void *timer, void *map, __u64 flags) = (void *)169;
SEC("tc") int timer_in_its_place(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct clock *clock = lookup(&clocks, &key);

	if (!clock)
		return 0;
	return timer_init(&clock->timer, &clocks, 1) == 0;
}

SEC("tc") int timer_off_its_place(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct clock *clock = lookup(&clocks, &key);

	if (!clock)
		return 0;
	return timer_init(&clock->ticks, &clocks, 1) == 0;
}

/* bpf_timer_init's map must be the one whose value holds the timer: another map is EINVAL,
 * even one whose values are laid out the same. */
struct {
	int (*type)[BPF_MAP_TYPE_ARRAY];
	int (*max_entries)[1];
	__u32 *key;
	struct clock *value;
} alarms SEC(".maps");

SEC("tc") int timer_with_another_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct clock *clock = lookup(&clocks, &key);

	if (!clock)
		return 0;
	return timer_init(&clock->timer, &numbers, 1) == 0;
}

SEC("tc") int timer_with_a_twin_map(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct clock *clock = lookup(&clocks, &key);

	if (!clock)
		return 0;
	return timer_init(&clock->timer, &alarms, 1) == 0;
}

SEC("tc") int timer_in_a_plain_value(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *value = lookup(&numbers, &key);

	if (!value)
		return 0;
	return timer_init(value, &numbers, 1) == 0;
}

/* ARG_PTR_TO_PERCPU_BTF_ID: this_cpu_ptr takes a per-CPU kernel variable, not the context. */
SEC("tc") NAKED int this_cpu_of_context(void)
{
	asm volatile(
		"call 154;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* ARG_CONST_ALLOC_SIZE_OR_ZERO: ringbuf_reserve's size is known at load, not the packet's length. */
struct {
	int (*type)[BPF_MAP_TYPE_RINGBUF];
	int (*max_entries)[4096];
} records SEC(".maps");

static void *(*reserve)(void *ring, __u64 size, __u64 flags) = (void *)131;
static void (*submit)(void *record, __u64 flags) = (void *)132;

SEC("tc") int reserve_known_size(struct __sk_buff *skb)
{
	void *record = reserve(&records, 16, 0);

	if (record)
		submit(record, 0);
	return 0;
}

SEC("tc") int reserve_packet_length(struct __sk_buff *skb)
{
	void *record = reserve(&records, skb->len, 0);

	if (record)
		submit(record, 0);
	return 0;
}

/* One argument only may hold a reference: the same record twice is refused. */
static long (*csum_diff)(void *from, __u32 from_size, void *to, __u32 to_size, __u32 seed) = (void *)28;
static void (*discard)(void *record, __u64 flags) = (void *)133;

SEC("tc") int record_twice(struct __sk_buff *skb)
{
	void *record = reserve(&records, 16, 0);
	long sum;

	if (!record)
		return 0;
	sum = csum_diff(record, 8, record, 8, 0);
	discard(record, 0);
	return sum;
}

/* ARG_PTR_TO_DYNPTR whose 16 bytes would pass the frame's top: no dynptr can be there. */
SEC("tc") NAKED int dynptr_at_frame_top(void)
{
	asm volatile(
		"r1 = 0;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 0;"
		"r3 = 8;"
		"call 203;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* A socket filter's get_cgroup_classid is the current task's: it takes no argument. */
SEC("socket") NAKED int classid_without_context(void)
{
	asm volatile(
		"r1 = 0;"
		"call 17;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

/* A tc program's is the skb's: 0 is no context. */
SEC("tc") NAKED int classid_null_context(void)
{
	asm volatile(
		"r1 = 0;"
		"call 17;"
		"r0 = 0;"
		"exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
