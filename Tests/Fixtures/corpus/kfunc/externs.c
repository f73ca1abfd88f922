/* Externs for the object tests (BPFObjectTests/ExternTests), read against config-sample:
 * one kconfig extern of each kind, and kfunc calls and addresses, strong and weak. */
#include "kfuncs.h"

extern _Bool CONFIG_ALPHA __kconfig;
extern enum libbpf_tristate CONFIG_BETA __kconfig;
extern int CONFIG_GAMMA __kconfig __weak;
extern char CONFIG_DELTA __kconfig;
extern int CONFIG_HEX __kconfig;
extern unsigned short CONFIG_OCT __kconfig;
extern long long CONFIG_NEG __kconfig;
extern char CONFIG_NAME[8] __kconfig;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

extern int bpf_tcx_kfunc_nobody_has(struct __sk_buff *skb, int x) __ksym __weak;

SEC("tc")
int externs(struct __sk_buff *skb)
{
	struct bpf_iter_num it;
	long long sum = CONFIG_ALPHA + CONFIG_BETA + CONFIG_GAMMA + CONFIG_DELTA + CONFIG_HEX + CONFIG_OCT + CONFIG_NEG
		+ CONFIG_NAME[7] + LINUX_KERNEL_VERSION;

	bpf_iter_num_new(&it, 0, 1);
	bpf_iter_num_destroy(&it);
	if (kfunc_present(bpf_tcx_kfunc_nobody_has))
		sum += bpf_tcx_kfunc_nobody_has(skb, 1);
	return sum;
}

char _license[] SEC("license") = "GPL";
