/* Open-coded loops (number iterators): the request's op (u8 @14) picks the loop, u8 @15 and
 * @16 are its bounds; results go to the packet at @20 (u32 each) and the return value. */
#include "kfuncs.h"

static __always_inline int put(struct __sk_buff *skb, __u32 at, __u32 value)
{
	return bpf_skb_store_bytes(skb, at, &value, sizeof(value), 0);
}

SEC("tc")
int loops(struct __sk_buff *skb)
{
	__u8 req[3];
	__u32 sum = 0, count = 0;
	int i, j;

	if (bpf_skb_load_bytes(skb, 14, req, sizeof(req)))
		return 1;
	switch (req[0]) {
	case 0: /* sum of the payload bytes [24, 24 + n) */
		each_number(i, 0, req[1]) {
			__u8 b;

			if (bpf_skb_load_bytes(skb, 24 + i, &b, 1))
				break;
			sum += b;
			count++;
		}
		break;
	case 1: /* nested: sum of i * j over [lo, hi)² */
		each_number(i, req[1], req[2]) {
			each_number(j, req[1], req[2]) {
				sum += i * j;
				count++;
			}
		}
		break;
	case 2: /* n_times with an early exit at 7 */
		n_times(req[1]) {
			if (++count == 7)
				break;
			sum += count;
		}
		break;
	case 3: { /* iterator set-up errors: start > end, and more than BPF_MAX_LOOPS */
		struct bpf_iter_num it;
		int *v;

		sum = bpf_iter_num_new(&it, req[1], req[2]);
		v = bpf_iter_num_next(&it);
		count = v ? *v : 0xffff;
		bpf_iter_num_destroy(&it);
		put(skb, 28, bpf_iter_num_new(&it, 0, 0x7fffffff));
		bpf_iter_num_destroy(&it);
		break;
	}
	case 4: { /* the raw protocol: next after the end stays at the end */
		struct bpf_iter_num it;
		int *v;

		bpf_iter_num_new(&it, 5, 7);
		while ((v = bpf_iter_num_next(&it)))
			sum = sum * 10 + *v;
		count = bpf_iter_num_next(&it) ? 1 : 2;
		bpf_iter_num_destroy(&it);
		break;
	}
	case 5: { /* an index that cycles through two values: the kernel follows it exactly */
		__u8 table[2] = { 3, 5 };
		__u32 x = 0;

		each_number(i, 0, req[1]) {
			sum += table[x];
			x ^= 1;
			count++;
		}
		break;
	}
	default:
		return 3;
	}
	put(skb, 20, sum);
	put(skb, 24, count);
	return sum & 0xff;
}

char _license[] SEC("license") = "GPL";
