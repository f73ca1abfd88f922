/* The object's BTF must reach the loader whole when it declares a kfunc extern: the .ksyms
 * data section clang emits for it has no ELF section and size zero. Written for swift-tcx and
 * built twice, with and without the extern (extern_btf.o, extern_btf_plain.o); the kernel's
 * verdicts and results for both are recorded in extern_btf.tcx and must be the same. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

static long (*loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;

#ifdef WITH_KFUNC_EXTERN
extern void bpf_rcu_read_lock(void) __attribute__((section(".ksyms")));
extern void bpf_rcu_read_unlock(void) __attribute__((section(".ksyms")));

SEC("tc") int takes_rcu_lock(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 3;
}
#endif

static int add_index(__u32 index, __u64 *total)
{
	*total += index + 1;
	return 0;
}

/* A callback needs its function record (func_info) on the kernel. */
SEC("tc") int sums_in_a_loop(struct __sk_buff *skb)
{
	__u64 total = 0;
	loop(5, add_index, &total, 0);
	return total;
}

/* A global function is verified on its own from its BTF signature: a void pointer argument has
 * no size, so the kernel refuses it. Checked as a static function it would load. */
__attribute__((noinline)) int first_byte(void *p)
{
	return p ? *(char *)p : 0;
}

SEC("tc") int global_untyped_pointer(struct __sk_buff *skb)
{
	char c = 7;
	return first_byte(&c);
}

/* A global function with a context argument loads, and runs. */
__attribute__((noinline)) int doubled_length(struct __sk_buff *skb)
{
	return skb ? skb->len * 2 : 0;
}

SEC("tc") int global_context(struct __sk_buff *skb)
{
	return doubled_length(skb);
}

char _license[] SEC("license") = "GPL";
