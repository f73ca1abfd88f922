/* A static function placed in a program section, as clang's hot/cold splitting leaves its
 * "name.cold.N" parts: libbpf refuses the object (ENOTSUP), and so must the loader. */
#include "tcx_bpf.h"

static __attribute__((noinline, section("tc"))) int doubled(int x)
{
	return x * 2;
}

SEC("tc")
int calls_static(struct __sk_buff *skb)
{
	return doubled(skb->len) & 1;
}

LICENSE("GPL");
