/* Per-CPU objects (bpf_percpu_obj_new/drop), a __percpu_kptr field holding one, and the per-CPU
 * pointer helpers on them: which types may be per-CPU, what a program may do with the pointer
 * and with each CPU's copy. The copies are reached only once the object is in a field (the
 * pointer is then an RCU one): a new object's own pointer is refused by the helpers. Test-run
 * runs on CPU 0; the machine's CPUs are counted by asking bpf_per_cpu_ptr for each one up to
 * MAX_CPUS. */
#include "objects.h"

#define __percpu_kptr __attribute__((btf_type_tag("percpu_kptr")))
#define MAX_CPUS 8

extern void *bpf_percpu_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_percpu_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;

#define new_percpu(type) ((type *)bpf_percpu_obj_new_impl(bpf_core_type_id_local(type), 0))
#define drop_percpu(p) bpf_percpu_obj_drop_impl((p), 0)

struct tally {
	__u64 packets;
	__u64 bytes;
};

struct other_tally {
	__u64 packets;
};

struct nested_scalars {
	struct tally inner;
	__u32 words[4];
};

struct with_pointer {
	__u64 *where;
};

struct with_lock {
	struct bpf_spin_lock lock;
	__u64 n;
};

struct exactly_512 {
	__u8 bytes[512];
};

struct over_512 {
	__u8 bytes[520];
};

struct tally_slot {
	__u64 seen;
	struct tally __percpu_kptr *tally;
	struct tally __kptr *plain;
	struct nested_scalars __percpu_kptr *nested;
	struct exactly_512 __percpu_kptr *big;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct tally_slot);
	__uint(max_entries, 2);
} tallies SEC(".maps");

/* Writes `packets` = cpu + 1 and `bytes` = len into every CPU's copy; answers how many CPUs. */
static __always_inline int fill(struct tally *p, __u64 len)
{
	int cpus = 0;

	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct tally *copy = bpf_per_cpu_ptr(p, cpu);

		if (!copy)
			break;
		copy->packets = cpu + 1;
		copy->bytes = len;
		cpus++;
	}
	return cpus;
}

/* The packets summed over every CPU's copy. */
static __always_inline __u64 sum(struct tally *p)
{
	__u64 total = 0;

	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct tally *copy = bpf_per_cpu_ptr(p, cpu);

		if (!copy)
			break;
		total += copy->packets;
	}
	return total;
}

/* Puts a new object in slot 1's field, where its copies are reached, and takes it out again.
 * ret = cpus * 1000 + sum of packets * 10 + (bpf_per_cpu_ptr(p, 4096) == NULL) */
SEC("tc")
int copies(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old, *here;
	int cpus, beyond;

	if (!slot)
		return 1;
	p = new_percpu(struct tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	cpus = fill(p, skb->len);
	here = bpf_this_cpu_ptr(p);
	here->packets += 100;
	beyond = bpf_per_cpu_ptr(p, 4096) == 0;
	cpus = cpus * 1000 + sum(p) * 10 + beyond;
	old = bpf_kptr_xchg(&slot->tally, (struct tally *)0);
	if (old)
		drop_percpu(old);
	return cpus;
}

/* A CPU number from the packet: out of range answers NULL at run time. */
SEC("tc")
int copy_by_length(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old, *copy;
	int ret;

	if (!slot)
		return 1;
	p = new_percpu(struct tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	fill(p, 0);
	copy = bpf_per_cpu_ptr(p, skb->len - 60);
	ret = copy ? copy->packets : 99;
	old = bpf_kptr_xchg(&slot->tally, (struct tally *)0);
	if (old)
		drop_percpu(old);
	return ret;
}

SEC("tc")
int nested_ok(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct nested_scalars *p, *old, *here;
	int ret;

	if (!slot)
		return 1;
	p = new_percpu(struct nested_scalars);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->nested, p);
	if (old)
		drop_percpu(old);
	here = bpf_this_cpu_ptr(p);
	here->words[3] = 5;
	here->inner.bytes = 6;
	ret = here->words[3] * 10 + here->inner.bytes;
	old = bpf_kptr_xchg(&slot->nested, (struct nested_scalars *)0);
	if (old)
		drop_percpu(old);
	return ret;
}

/* Left in its field: a later run finds it there. */
SEC("tc")
int size_512(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct exactly_512 *p, *old, *here;
	int ret = 0;

	if (!slot)
		return 1;
	p = slot->big;
	if (p) {
		here = bpf_this_cpu_ptr(p);
		ret = here->bytes[511];
	}
	p = new_percpu(struct exactly_512);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->big, p);
	if (old)
		drop_percpu(old);
	here = bpf_this_cpu_ptr(p);
	here->bytes[511] = skb->len;
	return ret;
}

SEC("tc")
int stash(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old, *here;
	int ret = 0;

	if (!slot)
		return 1;
	p = slot->tally;
	if (p)
		ret = 1000 + sum(p);
	p = new_percpu(struct tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	fill(p, skb->len);
	here = bpf_this_cpu_ptr(p);
	here->bytes += 1;
	slot->seen++;
	return ret;
}

SEC("tc")
int peek(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *here;

	if (!slot)
		return 1;
	p = slot->tally;
	if (!p)
		return 7;
	here = bpf_this_cpu_ptr(p);
	here->packets++;
	here = bpf_per_cpu_ptr(p, 0);
	if (!here)
		return 8;
	return here->bytes * 100 + sum(p);
}

SEC("tc")
int unstash(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old;
	int ret;

	if (!slot)
		return 1;
	p = slot->tally;
	if (!p)
		return 7;
	ret = sum(p);
	old = bpf_kptr_xchg(&slot->tally, (struct tally *)0);
	if (old)
		drop_percpu(old);
	return ret;
}

SEC("tc")
int pointer_member(struct __sk_buff *skb)
{
	struct with_pointer *p = new_percpu(struct with_pointer);

	if (p)
		drop_percpu(p);
	return 0;
}

SEC("tc")
int lock_member(struct __sk_buff *skb)
{
	struct with_lock *p = new_percpu(struct with_lock);

	if (p)
		drop_percpu(p);
	return 0;
}

SEC("tc")
int too_big(struct __sk_buff *skb)
{
	struct over_512 *p = new_percpu(struct over_512);

	if (p)
		drop_percpu(p);
	return 0;
}

SEC("tc")
int read_direct(struct __sk_buff *skb)
{
	struct tally *p = new_percpu(struct tally);
	int ret;

	if (!p)
		return 1;
	ret = *(volatile __u64 *)&p->packets;
	drop_percpu(p);
	return ret;
}

SEC("tc")
int owned_copy(struct __sk_buff *skb)
{
	struct tally *p = new_percpu(struct tally);
	struct tally *here;

	if (!p)
		return 1;
	here = bpf_this_cpu_ptr(p);
	here->packets = 1;
	drop_percpu(p);
	return 0;
}

SEC("tc")
int leaked(struct __sk_buff *skb)
{
	struct tally *p = new_percpu(struct tally);

	return p ? 1 : 0;
}

SEC("tc")
int plain_drop(struct __sk_buff *skb)
{
	struct tally *p = new_percpu(struct tally);

	if (p)
		drop_object(p);
	return 0;
}

SEC("tc")
int percpu_drop_of_plain(struct __sk_buff *skb)
{
	struct tally *p = new_object(struct tally);

	if (p)
		drop_percpu(p);
	return 0;
}

SEC("tc")
int this_cpu_of_plain(struct __sk_buff *skb)
{
	struct tally *p = new_object(struct tally);
	struct tally *here;

	if (!p)
		return 1;
	here = bpf_this_cpu_ptr(p);
	here->packets = 1;
	drop_object(p);
	return 0;
}

/* bpf_per_cpu_ptr of a program's own type is not NULL to the verifier (its CPU may be past
 * the last at run time all the same). */
SEC("tc")
int copy_not_compared(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *copy;

	if (!slot)
		return 1;
	p = slot->tally;
	if (!p)
		return 2;
	copy = bpf_per_cpu_ptr(p, 0);
	copy->packets = 1;
	return copy->bytes;
}

SEC("tc")
int taken_copy(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *old, *here;

	if (!slot)
		return 1;
	old = bpf_kptr_xchg(&slot->tally, (struct tally *)0);
	if (!old)
		return 2;
	here = bpf_this_cpu_ptr(old);
	here->packets = 1;
	drop_percpu(old);
	return 0;
}

SEC("tc")
int copy_past_end(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *here;

	if (!slot)
		return 1;
	p = slot->tally;
	if (!p)
		return 2;
	here = bpf_this_cpu_ptr(p);
	return *(volatile __u64 *)((char *)here + 16);
}

/* The copy of an object dropped in this run: the kernel frees it after an RCU grace period. */
SEC("tc")
int copy_after_drop(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old, *here;

	if (!slot)
		return 1;
	p = new_percpu(struct tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	here = bpf_this_cpu_ptr(p);
	old = bpf_kptr_xchg(&slot->tally, (struct tally *)0);
	if (old)
		drop_percpu(old);
	here->packets = 1;
	return here->packets;
}

SEC("tc")
int field_unchecked(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *here;

	if (!slot)
		return 1;
	here = bpf_this_cpu_ptr(slot->tally);
	return here ? 1 : 0;
}

SEC("tc")
int field_drop(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p;

	if (!slot)
		return 1;
	p = slot->tally;
	if (p)
		drop_percpu(p);
	return 0;
}

SEC("tc")
int into_plain_field(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old;

	if (!slot)
		return 1;
	p = new_percpu(struct tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->plain, p);
	if (old)
		drop_object(old);
	return 0;
}

SEC("tc")
int other_type_in(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct other_tally *p;
	struct tally *old;

	if (!slot)
		return 1;
	p = new_percpu(struct other_tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, (struct tally *)p);
	if (old)
		drop_percpu(old);
	return 0;
}

SEC("tc")
int drop_after_stash(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old;

	if (!slot)
		return 1;
	p = new_percpu(struct tally);
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	drop_percpu(p);
	return 0;
}

SEC("tc")
int store_to_field(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);

	if (!slot)
		return 1;
	slot->tally = 0;
	return 0;
}

SEC("tc")
int unchecked_in(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old;

	if (!slot)
		return 1;
	p = new_percpu(struct tally);
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	return 0;
}

SEC("tc")
int field_into_field(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct tally_slot *slot = bpf_map_lookup_elem(&tallies, &key);
	struct tally *p, *old;

	if (!slot)
		return 1;
	p = slot->tally;
	if (!p)
		return 2;
	old = bpf_kptr_xchg(&slot->tally, p);
	if (old)
		drop_percpu(old);
	return 0;
}

SEC("tc")
int drop_unchecked(struct __sk_buff *skb)
{
	struct tally *p = new_percpu(struct tally);

	drop_percpu(p);
	return 0;
}
