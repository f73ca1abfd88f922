/* Weak kfuncs guarded by their existence: one every 6.x kernel has (the RCU read lock), one no
 * kernel has. The return value's bits say which were found; the missing one is never called. */
#include "kfuncs.h"

extern int bpf_tcx_kfunc_nobody_has(struct __sk_buff *skb, int x) __ksym __weak;

SEC("tc")
int weak_guarded(struct __sk_buff *skb)
{
	int found = 0;

	if (kfunc_present(bpf_rcu_read_lock)) {
		bpf_rcu_read_lock();
		found |= 1;
		bpf_rcu_read_unlock();
	}
	if (kfunc_present(bpf_tcx_kfunc_nobody_has))
		found |= bpf_tcx_kfunc_nobody_has(skb, 2) ? 2 : 4;
	return found | (skb->len > 60 ? 8 : 0);
}

char _license[] SEC("license") = "GPL";
