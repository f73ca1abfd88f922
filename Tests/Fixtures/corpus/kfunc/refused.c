/* Programs each backend must refuse, alone: the object's other programs still load. */
#include "kfuncs.h"

extern int bpf_tcx_kfunc_nobody_has(struct __sk_buff *skb, int x) __ksym __weak;
extern int bpf_tcx_strong_kfunc_nobody_has(struct __sk_buff *skb) __ksym;
extern int CONFIG_TCX_NOT_A_REAL_OPTION __kconfig;
struct sock_common { int unused; };
extern int bpf_sock_destroy(struct sock_common *sock) __ksym;

/* A strong kfunc no kernel has: ESRCH from the loader. */
SEC("tc")
int strong_missing(struct __sk_buff *skb)
{
	return bpf_tcx_strong_kfunc_nobody_has(skb);
}

/* A weak missing kfunc called without a guard: the poisoned call is reached. */
SEC("tc")
int weak_unguarded(struct __sk_buff *skb)
{
	return bpf_tcx_kfunc_nobody_has(skb, 1);
}

/* A strong kconfig extern the configuration does not set: ESRCH. */
SEC("tc")
int kconfig_missing(struct __sk_buff *skb)
{
	return CONFIG_TCX_NOT_A_REAL_OPTION;
}

/* A kfunc the kernel has but not for tc (sock_destroy is for socket iterators). */
SEC("tc")
int not_for_tc(struct __sk_buff *skb)
{
	if (skb->len > 1000)
		return bpf_sock_destroy((void *)0);
	return 0;
}

/* A kfunc's result used without its NULL check. */
SEC("tc")
int slice_unchecked(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[2];

	bpf_dynptr_from_skb(skb, 0, &ptr);
	__u8 *p = bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));
	return *p;
}

/* Linux 6.18 refuses read-write slices to tc programs (EPERM). */
SEC("tc")
int slice_rdwr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[2];

	bpf_dynptr_from_skb(skb, 0, &ptr);
	__u8 *p = bpf_dynptr_slice_rdwr(&ptr, 0, buf, sizeof(buf));
	if (!p)
		return 1;
	p[0] = 0;
	return 0;
}

/* Leaving with the RCU read lock held. */
SEC("tc")
int rcu_held(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	return 0;
}

/* A number iterator never destroyed: an unreleased reference at exit. */
SEC("tc")
int iterator_leaked(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 3);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	return sum;
}

/* next on an iterator never made. */
SEC("tc")
int iterator_uninitialized(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v = bpf_iter_num_next(&it);

	return v ? *v : 0;
}

/* new twice on one live iterator. */
SEC("tc")
int iterator_twice(struct __sk_buff *skb)
{
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_new(&it, 0, 3);
	bpf_iter_num_destroy(&it);
	return 0;
}

/* A slice of a dynptr never made. */
SEC("tc")
int dynptr_uninitialized(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[4];
	__u8 *p = bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));

	return p ? p[0] : 0;
}

/* A slice of a dynptr whose bytes the program overwrote. */
SEC("tc")
int dynptr_overwritten(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[4];

	bpf_dynptr_from_skb(skb, 0, &ptr);
	*(volatile __u64 *)&ptr = 0;
	__u8 *p = bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));
	return p ? p[0] : 0;
}

/* A write through a read-only slice. */
SEC("tc")
int slice_written(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 buf[4];

	bpf_dynptr_from_skb(skb, 0, &ptr);
	__u8 *p = bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));
	if (!p)
		return 0;
	p[1] = 7;
	return 1;
}

/* A write to the number an iterator hands out. */
SEC("tc")
int iterator_value_written(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 2);
	v = bpf_iter_num_next(&it);
	if (v)
		*v = 5;
	bpf_iter_num_destroy(&it);
	return 0;
}

/* A fine program beside them. */
SEC("tc")
int fine(struct __sk_buff *skb)
{
	return 7;
}

char _license[] SEC("license") = "GPL";
