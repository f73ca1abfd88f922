/* Resilient spin locks (Linux 6.15+): bpf_res_spin_lock answers 0 with the lock held or a
 * negative errno without it, so the program must branch on the answer. Two locks may nest
 * and are released newest first. res_lock_add adds the packet's length to a value under the
 * lock; res_lock_nested takes two locks of two elements; res_lock_irq takes one with
 * interrupts saved. Written for swift-tcx; the kernel's results are in res_locks.tcx. */
#include "exceptions.h"

struct bpf_res_spin_lock {
	__u32 val;
};

extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __ksym;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __ksym;
extern int bpf_res_spin_lock_irqsave(struct bpf_res_spin_lock *lock, unsigned long *flags__irq_flag) __ksym;
extern void bpf_res_spin_unlock_irqrestore(struct bpf_res_spin_lock *lock, unsigned long *flags__irq_flag) __ksym;

struct elem {
	struct bpf_res_spin_lock lock;
	__u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct elem);
} elems SEC(".maps");

static __always_inline struct elem *element(__u32 key)
{
	return bpf_map_lookup_elem(&elems, &key);
}

SEC("tc") int res_lock_add(struct __sk_buff *skb)
{
	struct elem *e = element(0);
	__u64 value;

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return -1;
	e->value += skb->len;
	value = e->value;
	bpf_res_spin_unlock(&e->lock);
	return (int)value;
}

SEC("tc") int res_lock_nested(struct __sk_buff *skb)
{
	struct elem *a = element(0), *b = element(1);
	int r;

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return -1;
	r = bpf_res_spin_lock(&b->lock);
	if (r) {
		bpf_res_spin_unlock(&a->lock);
		return -2;
	}
	b->value += a->value + 1;
	r = (int)b->value;
	bpf_res_spin_unlock(&b->lock);
	bpf_res_spin_unlock(&a->lock);
	return r;
}

SEC("tc") int res_lock_irq(struct __sk_buff *skb)
{
	struct elem *e = element(1);
	unsigned long flags;
	int r;

	if (!e)
		return 0;
	if (bpf_res_spin_lock_irqsave(&e->lock, &flags))
		return -1;
	e->value += 10;
	r = (int)e->value;
	bpf_res_spin_unlock_irqrestore(&e->lock, &flags);
	return r;
}

/* Refused: the answer is not checked, so the failure path unlocks what it never locked. */
SEC("tc") int res_lock_unchecked(struct __sk_buff *skb)
{
	struct elem *e = element(0);

	if (!e)
		return 0;
	bpf_res_spin_lock(&e->lock);
	e->value++;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* Refused: the program ends holding the lock. */
SEC("tc") int res_lock_exit_held(struct __sk_buff *skb)
{
	struct elem *e = element(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return -1;
	if (skb->len > 10)
		return 1;
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* Refused: a helper call while the lock is held. */
SEC("tc") int res_lock_helper_inside(struct __sk_buff *skb)
{
	struct elem *e = element(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return -1;
	e->value = bpf_get_prandom_u32();
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* Refused: the same lock taken twice. */
SEC("tc") int res_lock_twice(struct __sk_buff *skb)
{
	struct elem *e = element(0);

	if (!e)
		return 0;
	if (bpf_res_spin_lock(&e->lock))
		return -1;
	if (bpf_res_spin_lock(&e->lock)) {
		bpf_res_spin_unlock(&e->lock);
		return -2;
	}
	bpf_res_spin_unlock(&e->lock);
	bpf_res_spin_unlock(&e->lock);
	return 0;
}

/* Refused: released oldest first. */
SEC("tc") int res_lock_out_of_order(struct __sk_buff *skb)
{
	struct elem *a = element(0), *b = element(1);

	if (!a || !b)
		return 0;
	if (bpf_res_spin_lock(&a->lock))
		return -1;
	if (bpf_res_spin_lock(&b->lock)) {
		bpf_res_spin_unlock(&a->lock);
		return -2;
	}
	bpf_res_spin_unlock(&a->lock);
	bpf_res_spin_unlock(&b->lock);
	return 0;
}

/* Refused: a lock not in a map value. */
SEC("tc") int res_lock_on_stack(struct __sk_buff *skb)
{
	struct bpf_res_spin_lock lock = {};

	if (bpf_res_spin_lock(&lock))
		return -1;
	bpf_res_spin_unlock(&lock);
	return 0;
}

char _license[] SEC("license") = "GPL";
