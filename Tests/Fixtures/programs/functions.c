/* Function shapes the verifier must judge as the kernel does: a static function whose result
 * every caller ignores (LLVM then never sets r0 in it), global functions verified on their own,
 * one that calls such a static function, and a global function returning void (refused at its call). */
#include "progs.h"

static NOINLINE int stamp_mark(struct __sk_buff *skb, u32 mark)
{
	skb->mark = mark;
	return 1;
}

NOINLINE int long_enough(struct __sk_buff *skb)
{
	stamp_mark(skb, 0x11);
	return skb->len > 40;
}

NOINLINE int scaled(int x)
{
	return x * 3 + 2;
}

NOINLINE void set_priority(struct __sk_buff *skb)
{
	skb->priority = 5;
}

SEC("tc")
int ignored_result(struct __sk_buff *skb)
{
	stamp_mark(skb, 0x22);
	return skb->mark == 0x22 ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int global_chain(struct __sk_buff *skb)
{
	if (!long_enough(skb))
		return TC_ACT_SHOT;
	return skb->mark == 0x11 ? scaled(skb->len) : TC_ACT_UNSPEC;
}

SEC("tc")
int void_global(struct __sk_buff *skb)
{
	set_priority(skb);
	return TC_ACT_OK;
}

LICENSE;
