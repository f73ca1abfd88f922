/* Declarations the exceptions corpus shares: the uapi, libbpf's section macros, and the
 * exception kfunc with a callback tag of our own (the installed libbpf 1.1 headers predate them). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern void bpf_throw(__u64 cookie) __ksym;

/* Names the program's exception callback: a BTF declaration tag the loader and kernel read. */
#define exception_callback(name) __attribute__((btf_decl_tag("exception_callback:" #name)))

/* The request frames of the corpus: ethertype 0x88b5, op (u8 @14), cookie (u64 @16, host order). */
struct request {
	__u8 op;
	__u8 pad[1];
	__u64 cookie;
} __attribute__((packed));

static __always_inline int read_request(struct __sk_buff *skb, __u8 *op, __u64 *cookie)
{
	if (bpf_skb_load_bytes(skb, 14, op, 1))
		return -1;
	return bpf_skb_load_bytes(skb, 16, cookie, 8);
}

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_preempt_disable(void) __ksym;
extern void bpf_preempt_enable(void) __ksym;
extern void bpf_local_irq_save(unsigned long *flags__irq_flag) __ksym;
extern void bpf_local_irq_restore(unsigned long *flags__irq_flag) __ksym;
