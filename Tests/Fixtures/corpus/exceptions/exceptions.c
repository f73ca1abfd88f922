/* bpf_throw as tc programs use it: the program ends where it throws, from any call depth, and
 * returns what its exception callback makes of the cookie, or (no callback) the cookie's low 32
 * bits. What ran before the throw stays done (a counter in a map, a byte of the packet).
 * Op (byte 14) picks the path; the cookie is bytes 16-23 (host order).
 * Written for swift-tcx; the kernel's results are recorded in exceptions.tcx. */
#include "exceptions.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void count(void)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&counts, &key);

	if (value)
		__sync_fetch_and_add(value, 1);
}

/* Three static frames deep: each marks the packet's byte 15 on the way down. */
static __attribute__((noinline)) int level3(struct __sk_buff *skb, __u64 cookie, __u8 op)
{
	__u8 mark = 3;

	bpf_skb_store_bytes(skb, 15, &mark, 1, 0);
	if (op == 3)
		bpf_throw(cookie);
	return 30;
}

static __attribute__((noinline)) int level2(struct __sk_buff *skb, __u64 cookie, __u8 op)
{
	__u8 mark = 2;

	bpf_skb_store_bytes(skb, 15, &mark, 1, 0);
	if (op == 2)
		bpf_throw(cookie);
	return level3(skb, cookie, op) + 1;
}

/* A global function throws too: the whole program ends, not just the function. */
__attribute__((noinline)) int global_thrower(__u64 cookie, int op)
{
	if (op == 4)
		bpf_throw(cookie);
	return 40;
}

SEC("tc") int throw_default(struct __sk_buff *skb)
{
	__u64 cookie = 0;
	__u8 op = 0;

	if (read_request(skb, &op, &cookie))
		return -1;
	count();
	if (op == 1)
		bpf_throw(cookie);
	if (op == 4)
		return global_thrower(cookie, op) + 1;
	return level2(skb, cookie, op) + 1;
}

/* The callback's answer is the program's: the cookie plus 100, and its own map update. */
__attribute__((noinline)) int on_exception(__u64 cookie)
{
	count();
	return (int)cookie + 100;
}

SEC("tc") exception_callback(on_exception) int throw_to_callback(struct __sk_buff *skb)
{
	__u64 cookie = 0;
	__u8 op = 0;

	if (read_request(skb, &op, &cookie))
		return -1;
	if (op == 1)
		bpf_throw(cookie);
	if (op == 4)
		return global_thrower(cookie, op) + 1;
	return level2(skb, cookie, op) + 1;
}

char _license[] SEC("license") = "GPL";
