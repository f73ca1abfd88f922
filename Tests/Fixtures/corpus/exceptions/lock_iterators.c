/* Number iterators while a lock is held: Linux 6.18 allows them under bpf_spin_lock and
 * bpf_res_spin_lock alike (any other call is refused there). Each program sums 0..n-1, n the
 * packet's byte 14, into a map value under the lock and returns the sum.
 * Written for swift-tcx; the kernel's results are recorded in lock_iterators.tcx. */
#include "exceptions.h"

struct bpf_iter_num {
	__u64 opaque;
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct bpf_res_spin_lock {
	__u32 val;
};

extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __ksym;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __ksym;

struct plain {
	struct bpf_spin_lock lock;
	__u64 sum;
};

struct resilient {
	struct bpf_res_spin_lock lock;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct plain);
} plains SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct resilient);
} resilients SEC(".maps");

static __always_inline int count_to(struct __sk_buff *skb)
{
	__u8 n = 0;

	bpf_skb_load_bytes(skb, 14, &n, 1);
	return n & 15;
}

SEC("tc") int spin_lock_iterator(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct plain *p = bpf_map_lookup_elem(&plains, &key);
	struct bpf_iter_num it;
	int n = count_to(skb), *i;
	__u64 sum = 0;

	if (!p)
		return 0;
	bpf_spin_lock(&p->lock);
	bpf_iter_num_new(&it, 0, n);
	while ((i = bpf_iter_num_next(&it)))
		sum += *i;
	bpf_iter_num_destroy(&it);
	p->sum = sum;
	bpf_spin_unlock(&p->lock);
	return (int)sum;
}

SEC("tc") int res_lock_iterator(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct resilient *r = bpf_map_lookup_elem(&resilients, &key);
	struct bpf_iter_num it;
	int n = count_to(skb), *i;
	__u64 sum = 0;

	if (!r)
		return 0;
	if (bpf_res_spin_lock(&r->lock))
		return -1;
	bpf_iter_num_new(&it, 0, n);
	while ((i = bpf_iter_num_next(&it)))
		sum += *i;
	bpf_iter_num_destroy(&it);
	r->sum = sum;
	bpf_res_spin_unlock(&r->lock);
	return (int)sum;
}

char _license[] SEC("license") = "GPL";
