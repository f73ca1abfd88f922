/* bpf_dynptr_memset and bpf_dynptr_copy on skb dynptrs and a map value's local dynptr. The
 * request's u8 @14 picks the case; each call's result (low byte of -errno) goes to @16 on. */
#include "kfuncs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} scratch SEC(".maps");

SEC("tc")
int copy_fill(struct __sk_buff *skb)
{
	struct bpf_dynptr pkt, null_ptr, local;
	__u8 op, results[8] = {};
	__u32 zero = 0;

	if (!kfunc_present(bpf_dynptr_copy) || !kfunc_present(bpf_dynptr_memset))
		return 100;
	if (bpf_skb_load_bytes(skb, 14, &op, 1) || bpf_dynptr_from_skb(skb, 0, &pkt))
		return 1;
	bpf_dynptr_from_skb(skb, 1, &null_ptr);
	__u8 *value = bpf_map_lookup_elem(&scratch, &zero);
	if (!value || bpf_dynptr_from_mem(value, 16, 0, &local))
		return 2;
	__u32 size = bpf_dynptr_size(&pkt);

	switch (op) {
	case 0: /* memset: inside, past the end, size 0 at the end, a NULL dynptr */
		results[0] = -bpf_dynptr_memset(&pkt, 40, 6, 0xab);
		results[1] = -bpf_dynptr_memset(&pkt, size - 2, 4, 0xcd);
		results[2] = -bpf_dynptr_memset(&pkt, size, 0, 0xcd);
		results[3] = -bpf_dynptr_memset(&null_ptr, 0, 1, 0);
		results[4] = -bpf_dynptr_memset(&null_ptr, 0, 0, 0);
		results[5] = -bpf_dynptr_memset(&local, 4, 8, 0x5a);
		results[6] = -bpf_dynptr_copy(&pkt, 48, &local, 0, 16);
		break;
	case 1: /* copy inside the packet, overlapping, and out of range */
		results[0] = -bpf_dynptr_copy(&pkt, 40, &pkt, 24, 8);
		results[1] = -bpf_dynptr_copy(&pkt, 26, &pkt, 24, 10);
		results[2] = -bpf_dynptr_copy(&pkt, size - 4, &pkt, 24, 8);
		results[3] = -bpf_dynptr_copy(&pkt, 24, &pkt, size, 1);
		results[4] = -bpf_dynptr_copy(&pkt, 24, &null_ptr, 0, 4);
		results[5] = -bpf_dynptr_copy(&null_ptr, 0, &pkt, 24, 4);
		results[6] = -bpf_dynptr_copy(&null_ptr, 0, &null_ptr, 0, 0);
		break;
	case 2: /* through a map value: packet -> value -> packet further on */
		results[0] = -bpf_dynptr_copy(&local, 0, &pkt, 24, 16);
		results[1] = -bpf_dynptr_memset(&local, 0, 2, 0xee);
		results[2] = -bpf_dynptr_copy(&pkt, 44, &local, 0, 16);
		results[3] = -bpf_dynptr_copy(&local, 8, &pkt, 0, 16);
		break;
	default:
		return 3;
	}
	if (bpf_skb_store_bytes(skb, 16, results, sizeof(results), 0))
		return 4;
	return 0;
}

char _license[] SEC("license") = "GPL";
