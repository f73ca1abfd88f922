/* tc programs adding a number read from the skb's socket (bpf_sock.rx_queue_mapping, an s32)
 * to the context pointer, as the kernel's exceptions_assert test does after bounding it: a
 * socket field is a number like any other, so the pointer arithmetic and the context access are
 * judged as the kernel judges them (a bound reaching 2^29 is out of bounds, EINVAL; a modified
 * context pointer is never dereferenced, EACCES), and plain uses of it load.
 * Written for swift-tcx; the kernel's verdicts are recorded in socket_field_math.tcx
 * (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

/* An opaque barrier: clang keeps the bounds checks as written. */
#define KEEP(x) asm volatile("" : "+r"(x))

static __attribute__((always_inline)) long queue(struct bpf_sock *sk)
{
	long n = sk->rx_queue_mapping;

	KEEP(n);
	return n;
}

/* Bounded to the s32 range less two: math with it is out of bounds (EINVAL). */
SEC("tc") int wide_queue_on_context(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	long n;

	if (!sk)
		return 0;
	n = queue(sk);
	if (n < -2147483646 || n > 2147483645)
		return 0;
	return *((__u8 *)skb + n);
}

/* Bounded to [-1000, 1000]: the sum is fine, reading through it is not (EACCES). */
SEC("tc") int small_queue_on_context(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	long n;

	if (!sk)
		return 0;
	n = queue(sk);
	if (n < -1000 || n > 1000)
		return 0;
	return *((__u8 *)skb + n);
}

/* Exactly 4096: a context pointer moved by a constant, dereferenced (EACCES). */
SEC("tc") int exact_queue_on_context(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	long n;

	if (!sk)
		return 0;
	n = queue(sk);
	if (n != 4096)
		return 0;
	KEEP(n);
	return *((__u8 *)skb + n);
}

/* The field as a number: loads. */
SEC("tc") int queue_as_number(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;

	if (!sk)
		return 0;
	return queue(sk) & 3;
}

char _license[] SEC("license") = "GPL";
