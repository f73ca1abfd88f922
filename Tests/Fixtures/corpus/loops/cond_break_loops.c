/* Nested loops written with cond_break, as programs using the kernel's bpf_experimental.h are:
 * counters from 0 compared with bounds the request frame gives (u32 @16 and @20, host order),
 * may_goto only a backstop. The kernel loads them: at each may_goto the counters it has not
 * made precise are widened against the earlier iteration's, so the loops' states converge.
 * Written for swift-tcx; the kernel's results are recorded in cond_break_loops.tcx. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Leaves the enclosing loop once the may_goto budget is spent (our own spelling of the
 * cond_break of the kernel's selftests: a may_goto whose target is a break). */
#define cond_break                                                        \
	({                                                                \
		__label__ budget_spent, budget_left;                      \
		asm volatile goto("may_goto %l[budget_spent]" :::: budget_spent); \
		goto budget_left;                                         \
	budget_spent:                                                     \
		break;                                                    \
	budget_left:;                                                     \
	})

struct bounds {
	__u32 outer, inner;
};

static __always_inline int read_bounds(struct __sk_buff *skb, struct bounds *b)
{
	return bpf_skb_load_bytes(skb, 16, b, sizeof(*b));
}

/* outer * inner passes of the inner loop, counted. */
SEC("tc") int nested_count(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 i, j, count = 0;

	if (read_bounds(skb, &b))
		return -1;
	for (i = 0; i < b.outer; i++) {
		for (j = 0; j < b.inner; j++) {
			count++;
			cond_break;
		}
		cond_break;
	}
	return count;
}

/* The sum of i * inner + j over both loops: each counter's value, not only how often it moved,
 * reaches the result. */
SEC("tc") int nested_sum(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 i, j;
	__u64 sum = 0;

	if (read_bounds(skb, &b))
		return -1;
	for (i = 0; i < b.outer; i++) {
		for (j = 0; j < b.inner; j++) {
			sum += (__u64)i * b.inner + j;
			cond_break;
		}
		cond_break;
	}
	return (int)sum;
}

/* Three levels, the innermost bounded by the outer counter. The kernel refuses it (E2BIG): the
 * outer counter, compared with 0 before the innermost loop, is decided there and so precise,
 * never widened, and each of its values is another state to explore. */
SEC("tc") int triangle_count(struct __sk_buff *skb)
{
	struct bounds b;
	__u32 i, j, k, count = 0;

	if (read_bounds(skb, &b))
		return -1;
	for (i = 0; i < b.outer; i++) {
		for (j = 0; j < b.inner; j++) {
			for (k = 0; k < i; k++) {
				count++;
				cond_break;
			}
			cond_break;
		}
		cond_break;
	}
	return count;
}

char _license[] SEC("license") = "GPL";
