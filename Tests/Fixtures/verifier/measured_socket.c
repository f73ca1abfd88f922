/* A socket filter program for measured_rules.tcx, in an object of its own: the kernel backend's
 * loader leaves out BTF holding kfunc declarations, and measured_rules.c needs its BTF.
 * Written for swift-tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

/* A socket filter gets the kfuncs every program type gets, the number iterator among them. */
struct bpf_iter_num {
	__u64 opaque;
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __attribute__((section(".ksyms")));
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __attribute__((section(".ksyms")));
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __attribute__((section(".ksyms")));
SEC("socket") int socket_filter_iterates(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 4);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	return sum;
}

char _license[] SEC("license") = "GPL";
