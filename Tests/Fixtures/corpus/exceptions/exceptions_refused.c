/* What the kernel refuses around bpf_throw, each its own program: a throw that would leave
 * something held (the RCU read-side region, a socket reference, preemption off, an irq flag),
 * a throw a callback would make (bpf_loop's, the exception callback's own), a pointer as the
 * cookie, and exception callbacks the kernel does not take (static, two arguments, returning nothing,
 * called by the program).
 * Written for swift-tcx; the kernel's verdicts are recorded in exceptions_refused.tcx. */
#include "exceptions.h"


SEC("tc") int throw_in_rcu(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	if (skb->len > 10)
		bpf_throw(1);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("tc") int throw_in_preempt(struct __sk_buff *skb)
{
	bpf_preempt_disable();
	if (skb->len > 10)
		bpf_throw(1);
	bpf_preempt_enable();
	return 0;
}

SEC("tc") int throw_in_irq(struct __sk_buff *skb)
{
	unsigned long flags;

	bpf_local_irq_save(&flags);
	if (skb->len > 10)
		bpf_throw(1);
	bpf_local_irq_restore(&flags);
	return 0;
}

SEC("tc") int throw_holding_socket(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 1;
	if (skb->len > 10)
		bpf_throw(2);
	bpf_sk_release(sk);
	return 0;
}

SEC("tc") int throw_pointer(struct __sk_buff *skb)
{
	bpf_throw((__u64)(long)skb);
	return 0;
}

static int throwing_callback(__u32 index, void *data)
{
	if (index == 3)
		bpf_throw(index);
	return 0;
}

SEC("tc") int throw_in_loop_callback(struct __sk_buff *skb)
{
	bpf_loop(skb->len, throwing_callback, NULL, 0);
	return 0;
}

__attribute__((used)) static int static_handler(__u64 cookie)
{
	return 1;
}

SEC("tc") exception_callback(static_handler) int callback_static(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_throw(1);
	return 0;
}

__attribute__((noinline)) int two_argument_handler(__u64 cookie, __u64 more)
{
	return (int)(cookie + more);
}

SEC("tc") exception_callback(two_argument_handler) int callback_two_arguments(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_throw(1);
	return two_argument_handler(1, 2) & 1;
}

__attribute__((noinline)) int throwing_handler(__u64 cookie)
{
	if (cookie == 5)
		bpf_throw(6);
	return 1;
}

SEC("tc") exception_callback(throwing_handler) int callback_throws(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_throw(5);
	return 0;
}

__attribute__((noinline)) int called_handler(__u64 cookie)
{
	return (int)cookie + 1;
}

SEC("tc") exception_callback(called_handler) int callback_called(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_throw(1);
	return called_handler(skb->len);
}

__attribute__((noinline)) void void_handler(__u64 cookie)
{
}

SEC("tc") exception_callback(void_handler) int callback_void(struct __sk_buff *skb)
{
	if (skb->len > 10)
		bpf_throw(1);
	return 0;
}

char _license[] SEC("license") = "GPL";
