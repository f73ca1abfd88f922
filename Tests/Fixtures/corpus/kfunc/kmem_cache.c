/* bpf_get_kmem_cache on the addresses a tc test-run's program holds, laundered into numbers
 * (the kfunc takes a u64): the packet (in the head buffer the test-run allocated), the
 * context (the skb), the stack, a global, and numbers no slab holds. A cache found is
 * answered as its size << 16 | object_size, with its name's first 16 bytes written @16; NULL
 * as 0. And bpf_modify_return_test_tp, which answers its nonce. Written by hand, not by
 * gen.py. */
#include "kfuncs.h"

struct kmem_cache {
	unsigned int size;
	unsigned int object_size;
	const char *name;
} __attribute__((preserve_access_index));

extern struct kmem_cache *bpf_get_kmem_cache(__u64 addr) __ksym;
extern int bpf_modify_return_test_tp(int nonce) __ksym;

__u64 global_word;

/* u8 @14: 0 the stack, 1 the packet's first byte, 2 its last byte, 3 the context, 4 a
 * global, 5 NULL, 6 0x1000, 7 the vsyscall page, 8 a non-canonical address. */
SEC("tc")
int cache_of(struct __sk_buff *skb)
{
	__u64 stack_word = 1, address = 0, number = 0;
	char name[16] = {};
	__u8 which;

	if (bpf_skb_load_bytes(skb, 14, &which, 1))
		return -1000;
	switch (which) {
	case 0: address = (__u64)&stack_word; break;
	case 1: address = (__u64)(long)skb->data; break;
	case 2: address = (__u64)(long)skb->data; break;
	case 3: address = (__u64)skb; break;
	case 4: address = (__u64)&global_word; break;
	case 5: address = 0; break;
	case 6: address = 0x1000; break;
	case 7: address = 0xffffffffff600000ULL; break;
	case 8: address = 0x8000000000000000ULL; break;
	default: return -1001;
	}
	/* A pointer is no number to the verifier: copy its bits into one. */
	if (bpf_probe_read_kernel(&number, sizeof(number), &address))
		return -1002;
	if (which == 2)
		number += skb->len - 1;
	struct kmem_cache *cache = bpf_get_kmem_cache(number);
	if (!cache)
		return 0;
	bpf_probe_read_kernel_str(name, sizeof(name), cache->name);
	if (bpf_skb_store_bytes(skb, 16, name, sizeof(name), 0))
		return -1003;
	return cache->size << 16 | cache->object_size;
}

/* The nonce is the s32 @15. */
SEC("tc")
int test_tp(struct __sk_buff *skb)
{
	int nonce;

	if (bpf_skb_load_bytes(skb, 15, &nonce, sizeof(nonce)))
		return -1000;
	return bpf_modify_return_test_tp(nonce);
}

/* Refused: a pointer is not a number. */
SEC("tc")
int pointer_address(struct __sk_buff *skb)
{
	__u64 word = 0;

	return bpf_get_kmem_cache((__u64)&word) ? 1 : 0;
}

/* Loads: the pointer is untrusted, not NULL-checked (its reads are probe reads, 0 at NULL). */
SEC("tc")
int unchecked_cache(struct __sk_buff *skb)
{
	return bpf_get_kmem_cache(skb->len)->size;
}

/* Refused: the cache is read only. */
SEC("tc")
int write_cache(struct __sk_buff *skb)
{
	struct kmem_cache *cache = bpf_get_kmem_cache(skb->len);

	if (cache)
		cache->size = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
