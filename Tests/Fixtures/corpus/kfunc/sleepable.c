/* Sleepable kfuncs in a tc program, which never sleeps: the kernel has them and libbpf finds
 * them, and the verifier refuses a program whose path reaches one ("program must be sleepable
 * to call sleepable kfunc", EACCES); a call no path reaches (behind a read-only flag that is
 * false) loads and runs. */
#include "kfuncs.h"

/* Opaque here; libbpf wants a struct, as vmlinux has, not a forward declaration. */
struct bpf_key {
	void *key;
};

extern int bpf_copy_from_user_str(void *dst, __u32 dst__sz, const void *unsafe_ptr__ign, __u64 flags) __ksym;
extern struct bpf_key *bpf_lookup_user_key(__s32 serial, __u64 flags) __ksym;

/* Set before load by nobody: stays 0, so the guarded calls are dead code. */
const volatile int may_sleep = 0;

/* Copies a user string on every packet: refused. */
SEC("tc")
int copies_user_string(struct __sk_buff *skb)
{
	char name[16];

	return bpf_copy_from_user_str(name, sizeof(name), (void *)(long)skb->mark, 0) < 0 ? 2 : 0;
}

/* Looks up a user key on every packet: refused at the call (before the key could leak). */
SEC("tc")
int looks_up_user_key(struct __sk_buff *skb)
{
	return bpf_lookup_user_key(skb->mark, 0) ? 0 : 2;
}

/* The same calls where no path reaches them: loads, and returns the packet's length parity. */
SEC("tc")
int never_sleeps(struct __sk_buff *skb)
{
	char name[16];

	if (may_sleep) {
		if (bpf_copy_from_user_str(name, sizeof(name), (void *)(long)skb->mark, 0) < 0)
			return 2;
		if (bpf_lookup_user_key(skb->mark, 0))
			return 3;
	}
	return skb->len & 1;
}

char _license[] SEC("license") = "GPL";
