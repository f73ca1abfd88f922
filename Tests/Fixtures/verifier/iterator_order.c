/* The order in which Linux 6.18 follows an open-coded iterator loop (issue 12): at `next` it goes
 * on with the iterator drained (NULL) first and explores the way with an element later, so a
 * program wrong both after its loop and inside it is refused for what follows the loop. Written
 * for swift-tcx; the kernel's verdicts are recorded in iterator_order.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __ksym __attribute__((section(".ksyms")))

/* The kernel's number iterator: eight opaque bytes on the stack. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/* The body stores through a number (EACCES); after the loop the iterator is never destroyed, an
 * unreleased reference at exit (EINVAL). The drained way reaches the exit first. */
SEC("tc") int leak_after_loop(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 4);
	while ((v = bpf_iter_num_next(&it)))
		*(volatile int *)(unsigned long)skb->len = *v;
	return 0;
}

/* The same loop with the iterator destroyed: only the body's store is wrong (EACCES). */
SEC("tc") int store_in_body(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v;

	bpf_iter_num_new(&it, 0, 4);
	while ((v = bpf_iter_num_next(&it)))
		*(volatile int *)(unsigned long)skb->len = *v;
	bpf_iter_num_destroy(&it);
	return 0;
}

/* A sum kept after the loop: accepted, the loop converging once its sum is widened. */
SEC("tc") int sum_after_loop(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	int *v, sum = 0;

	bpf_iter_num_new(&it, 0, 100);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v & 1;
	bpf_iter_num_destroy(&it);
	return sum & 1;
}

char _license[] SEC("license") = "GPL";
