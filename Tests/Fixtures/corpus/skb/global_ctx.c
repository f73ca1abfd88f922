/* A global (non-static) function that takes the context: the verifier checks each call against
 * its signature. The context itself passes; a context pointer moved forwards or backwards is
 * refused with EACCES (the kernel's pointer-offset rule), anything else with EINVAL. */
#include "skb_helpers.h"

__attribute__((noinline)) int length_of(struct __sk_buff *skb)
{
	return skb ? skb->len : -1;
}

SEC("tc") int ctx_whole(struct __sk_buff *skb)
{
	return length_of(skb);
}

SEC("tc") int ctx_moved_forward(struct __sk_buff *skb)
{
	return length_of(skb + 1);
}

SEC("tc") int ctx_moved_back(struct __sk_buff *skb)
{
	return length_of((struct __sk_buff *)((char *)skb - 8));
}

SEC("tc") int ctx_from_stack(struct __sk_buff *skb)
{
	struct __sk_buff copy = { .len = skb->len };
	return length_of(&copy);
}

char LICENSE[] SEC("license") = "GPL";
