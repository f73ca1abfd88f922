/* __kconfig externs of every kind libbpf fills, written into the request's payload at @16:
 * the kernel version, two libbpf virtual features, a bool, a tristate, an int, a string, a
 * char, and weak ones this kernel does not set (0). */
#include "kfuncs.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;
extern _Bool CONFIG_NET __kconfig;
extern enum libbpf_tristate CONFIG_NF_CONNTRACK __kconfig;
extern enum libbpf_tristate CONFIG_TCX_NOT_A_REAL_OPTION __kconfig __weak;
extern int CONFIG_HZ __kconfig;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[12] __kconfig __weak;
extern char CONFIG_BPF_JIT __kconfig __weak;
extern int LINUX_TCX_UNKNOWN_VIRTUAL __kconfig __weak;

struct facts {
	__u32 version;
	__u8 cookie, wrapper, net, conntrack, missing, jit;
	__u16 hz;
	__u32 nr_cpus_nonzero;
	__u32 unknown_virtual;
	char hostname[12];
};

SEC("tc")
int kconfig(struct __sk_buff *skb)
{
	struct facts f = {
		.version = LINUX_KERNEL_VERSION,
		.cookie = LINUX_HAS_BPF_COOKIE,
		.wrapper = LINUX_HAS_SYSCALL_WRAPPER,
		.net = CONFIG_NET,
		.conntrack = CONFIG_NF_CONNTRACK,
		.missing = CONFIG_TCX_NOT_A_REAL_OPTION,
		.jit = CONFIG_BPF_JIT,
		.hz = CONFIG_HZ,
		.nr_cpus_nonzero = CONFIG_NR_CPUS != 0,
		.unknown_virtual = LINUX_TCX_UNKNOWN_VIRTUAL,
	};

	__builtin_memcpy(f.hostname, CONFIG_DEFAULT_HOSTNAME, sizeof(f.hostname));
	if (bpf_skb_store_bytes(skb, 16, &f, sizeof(f), 0))
		return 1;
	return LINUX_KERNEL_VERSION >= 0x050f00 ? 0 : 2;
}

/* Code only a known kconfig (or .rodata) value rules out: the kernel reads frozen read-only
 * values as constants and never verifies these unchecked packet reads; neither may we. */
const volatile __u32 packet_check_disabled = 0;

SEC("tc")
int kconfig_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;

	if (LINUX_KERNEL_VERSION < 0x050000)
		return *(volatile __u8 *)data;
	if (CONFIG_TCX_NOT_A_REAL_OPTION)
		return *(volatile __u8 *)(data + 1);
	if (packet_check_disabled)
		return *(volatile __u8 *)(data + 2);
	return CONFIG_NET ? 7 : 8;
}

char _license[] SEC("license") = "GPL";
