/* An MTU checker. After the Ethernet header the frame carries ifindex, mtu_len, len_diff and
 * flags (32-bit words); the program calls bpf_check_mtu with them, stores the mtu_len it got
 * back over the second word and returns the helper's result. */
#include "net.h"

SEC("tc")
int mtu_probe(struct __sk_buff *skb)
{
	__u32 args[4];

	if (skb_load_bytes(skb, 14, args, sizeof(args)) < 0)
		return -100;
	__u32 mtu_len = args[1];
	long rc = check_mtu(skb, args[0], &mtu_len, (__s32)args[2], args[3]);
	skb_store_bytes(skb, 18, &mtu_len, sizeof(mtu_len), 0);
	return (int)rc;
}

char LICENSE[] SEC("license") = "GPL";
