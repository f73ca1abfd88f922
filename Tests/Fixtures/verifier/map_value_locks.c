/* bpf_spin_lock through a map value takes the value's lock at the offset its BTF gives (issue
 * 12): a pointer to another offset of the value is refused ("off 0 doesn't point to 'struct
 * bpf_spin_lock' that is at 8", EINVAL). Written for swift-tcx; the kernel's verdicts are in
 * map_value_locks.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static void *(*lookup)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*spin_lock)(struct bpf_spin_lock *lock) = (void *)BPF_FUNC_spin_lock;
static long (*spin_unlock)(struct bpf_spin_lock *lock) = (void *)BPF_FUNC_spin_unlock;

struct guarded {
	__u64 count;
	struct bpf_spin_lock lock;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct guarded);
} guarded SEC(".maps");

/* Counts under the value's own lock. */
SEC("tc") int lock_at_its_place(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct guarded *g = lookup(&guarded, &key);

	if (!g)
		return 0;
	spin_lock(&g->lock);
	g->count++;
	spin_unlock(&g->lock);
	return 0;
}

/* Takes "the lock" at the value's start, where the count is. */
SEC("tc") int lock_at_the_start(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct guarded *g = lookup(&guarded, &key);

	if (!g)
		return 0;
	spin_lock((struct bpf_spin_lock *)g);
	spin_unlock((struct bpf_spin_lock *)g);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
