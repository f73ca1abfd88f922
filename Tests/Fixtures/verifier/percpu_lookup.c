/* bpf_map_lookup_percpu_elem (helper 195): one CPU's copy of a per-CPU map's value, or NULL
 * (a CPU past the possible ones). Its result is a map value that may be NULL, bounded by the
 * value's size; it was not followed, so every use of it was refused. Written for swift-tcx; the
 * kernel's verdicts are recorded in percpu_lookup.tcx. */
#include <linux/bpf.h>
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
static void *(*lookup_percpu)(void *map, const void *key, __u32 cpu) = (void *)195;
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, long); } counts SEC(".maps");
/* Adds 5 to CPU 0's copy and returns it: 10 after two runs, whichever CPU runs it. */
SEC("tc") int reads_cpu0(struct __sk_buff *skb)
{
	int key = 1;
	long *v = lookup_percpu(&counts, &key, 0);
	if (!v) return 1;
	*v += 5;
	return *v;
}
/* Reads without the NULL check: refused. */
SEC("tc") int unchecked(struct __sk_buff *skb)
{
	int key = 1;
	long *v = lookup_percpu(&counts, &key, 0);
	return *v;
}
/* Reads past the 8-byte value: refused. */
SEC("tc") int past_value(struct __sk_buff *skb)
{
	int key = 1;
	long *v = lookup_percpu(&counts, &key, 0);
	if (!v) return 1;
	return v[1];
}
/* CPU 4096 has no copy: NULL. */
SEC("tc") int far_cpu(struct __sk_buff *skb)
{
	int key = 1;
	long *v = lookup_percpu(&counts, &key, 4096);
	return v ? 1 : 0;
}
char _license[] SEC("license") = "GPL";
