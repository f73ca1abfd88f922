/* What an iterator kfunc's first argument may be (issue 12, Linux 6.18): a stack slot only; NULL
 * is refused as a trusted argument (EACCES), a map value, the context or a number as not on
 * the stack (EINVAL). Written for swift-tcx; the kernel's verdicts are recorded in
 * iterator_arguments.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __ksym __attribute__((section(".ksyms")))


/* The kernel's number iterator: eight opaque bytes on the stack. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct slot {
	__u64 words[1];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

static void *(*lookup)(void *map, const void *key) = (void *)1;

/* An iterator on the stack, made, stepped and ended: accepted. */
SEC("tc") int on_the_stack(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new((void *)&it, 0, 3);
	while ((v = bpf_iter_num_next((void *)&it)))
		sum += *v;
	bpf_iter_num_destroy((void *)&it);
	return sum & 1;
}

SEC("tc") int next_of_null(struct __sk_buff *skb)
{
	bpf_iter_num_next(0);
	return 0;
}

SEC("tc") int new_at_null(struct __sk_buff *skb)
{
	bpf_iter_num_new(0, 0, 1);
	return 0;
}

SEC("tc") int new_in_context(struct __sk_buff *skb)
{
	bpf_iter_num_new((void *)skb, 0, 1);
	return 0;
}

SEC("tc") int next_of_number(struct __sk_buff *skb)
{
	bpf_iter_num_next((void *)(long)skb->len);
	return 0;
}

SEC("tc") int new_in_map_value(struct __sk_buff *skb)
{
	int key = 0;
	struct slot *s = lookup(&slots, &key);

	if (!s)
		return 0;
	bpf_iter_num_new((void *)s, 0, 1);
	return 0;
}

SEC("tc") int destroy_of_maybe_null(struct __sk_buff *skb)
{
	int key = 0;

	bpf_iter_num_destroy(lookup(&slots, &key));
	return 0;
}

char _license[] SEC("license") = "GPL";
