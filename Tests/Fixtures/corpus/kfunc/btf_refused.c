/* What the kernel refuses through BTF pointers, one program each: the object still loads. */
#include "kfuncs.h"
#include <bpf/bpf_core_read.h>

struct sk_buff {
	unsigned int len;
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

char _license[] SEC("license") = "GPL";
