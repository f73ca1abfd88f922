/* What the kernel refuses through BTF pointers, one program each: the object still loads. */
#include "kfuncs.h"
#include <bpf/bpf_core_read.h>

struct sk_buff {
	unsigned int len;
	__u16 mac_len;
	__u32 mark;
	unsigned char *head;
} __attribute__((preserve_access_index));

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* A store into the kernel's skb. */
SEC("tc")
int store_kern_ctx(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	k->mark = 1;
	return 0;
}

/* A store through a read-only cast. */
SEC("tc")
int store_rdonly(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_rdonly_cast(bpf_cast_to_kern_ctx(skb), bpf_core_type_id_kernel(struct sk_buff));

	k->mark = 1;
	return 0;
}

/* A store through a cast to void. */
SEC("tc")
int store_void(struct __sk_buff *skb)
{
	__u32 word = 0;
	__u32 *p = bpf_rdonly_cast(&word, 0);

	*p = 1;
	return word;
}

/* A read past the end of the struct. */
SEC("tc")
int beyond_struct(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return *(volatile __u32 *)((char *)k + 4000);
}

/* Half of a pointer member. */
SEC("tc")
int half_pointer(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return *(volatile __u32 *)((char *)&k->head + 4);
}

/* A read at a variable offset. */
SEC("tc")
int variable_offset(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return *(volatile __u8 *)((char *)k + (skb->len & 7));
}

/* A cast to a type that is neither a struct nor void. */
SEC("tc")
int cast_to_int(struct __sk_buff *skb)
{
	int *p = bpf_rdonly_cast(skb, bpf_core_type_id_kernel(int));

	return p != 0;
}

/* The kernel context of something that is not the context. */
SEC("tc")
int cast_stack(struct __sk_buff *skb)
{
	__u64 word = 0;
	struct sk_buff *k = bpf_cast_to_kern_ctx(&word);

	return k->len;
}

/* The context's memory handed to a helper that reads memory. */
SEC("tc")
int helper_reads_kern_ctx(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return bpf_skb_store_bytes(skb, 14, k, 4, 0);
}

/* Four bytes from a two-byte member: past its end through the trusted context... */
SEC("tc")
int across_members(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return *(volatile __u32 *)&k->mac_len;
}

/* ...and allowed through a read-only cast, which is untrusted. */
SEC("tc")
int across_members_untrusted(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_rdonly_cast(bpf_cast_to_kern_ctx(skb), bpf_core_type_id_kernel(struct sk_buff));

	return *(volatile __u32 *)&k->mac_len == 0;
}

/* Before the struct. */
SEC("tc")
int negative_offset(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return *(volatile __u32 *)((char *)k - 8);
}

/* The kernel context compared with NULL: it never is, so the verifier never follows the NULL
 * way, and the number read as an address there does not count against the program. */
SEC("tc")
int null_checked(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	if (!k)
		return *(volatile int *)(unsigned long)skb->mark;
	return k->len == skb->len;
}

/* A helper writing into the kernel's skb. */
SEC("tc")
int helper_writes_kern_ctx(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return bpf_skb_load_bytes(skb, 0, &k->len, 4);
}

/* A helper reading a member of the kernel's skb: allowed. */
SEC("tc")
int helper_reads_member(struct __sk_buff *skb)
{
	struct sk_buff *k = bpf_cast_to_kern_ctx(skb);

	return bpf_skb_store_bytes(skb, 14, &k->len, 4, 0);
}

/* A helper reading through a cast to void. */
SEC("tc")
int helper_reads_void(struct __sk_buff *skb)
{
	__u64 word = 5;
	void *p = bpf_rdonly_cast(&word, 0);

	return bpf_skb_store_bytes(skb, 14, p, 8, 0);
}

/* One load through the kernel's skb on one path and through the stack on another. */
SEC("tc")
int mixed_pointers(struct __sk_buff *skb)
{
	__u32 words[32] = {};
	__u32 *p = words;

	if (skb->len > 100)
		p = (__u32 *)bpf_cast_to_kern_ctx(skb);
	return ((volatile __u32 *)p)[28]; /* len, in 6.18's sk_buff */
}

/* The hole after the first member of the kernel's struct upid { int nr; <4 bytes>; ns; }. */
struct upid {
	int nr;
} __attribute__((preserve_access_index));

SEC("tc")
int hole(struct __sk_buff *skb)
{
	struct upid *u = bpf_rdonly_cast(skb, bpf_core_type_id_kernel(struct upid));

	return *(volatile __u32 *)((char *)u + 4);
}

char _license[] SEC("license") = "GPL";
