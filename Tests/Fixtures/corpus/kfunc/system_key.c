/* bpf_lookup_system_key and bpf_key_put in tc programs: a key handle for one of the kernel's
 * system keyrings (0 the builtin one, 1 the secondary, 2 the platform one), which the program
 * holds and must put; other ids find none. The answers are bits about the handle, never its
 * address. The refused programs break one rule each. Written by hand, not by gen.py. */
#include "kfuncs.h"

struct key;
struct bpf_key {
	struct key *key;
	_Bool has_ref;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct bpf_key *bpf_lookup_system_key(__u64 id) __ksym;
extern void bpf_key_put(struct bpf_key *bkey) __ksym;
extern int bpf_verify_pkcs7_signature(struct bpf_dynptr *data_p, struct bpf_dynptr *sig_p,
				      struct bpf_key *trusted_keyring) __ksym;

static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* The id is the u64 @15. Bits: 1 a handle, 2 its key is the id, 4 it holds no key reference. */
SEC("tc")
int lookup(struct __sk_buff *skb)
{
	__u64 id;
	int bits = 1;

	if (bpf_skb_load_bytes(skb, 15, &id, sizeof(id)))
		return -1000;
	struct bpf_key *bkey = bpf_lookup_system_key(id);
	if (!bkey)
		return 0;
	if ((__u64)bkey->key == id)
		bits |= 2;
	if (!bkey->has_ref)
		bits |= 4;
	bpf_key_put(bkey);
	return bits;
}

/* Two handles held at once, put in the other order. */
SEC("tc")
int two_handles(struct __sk_buff *skb)
{
	struct bpf_key *builtin = bpf_lookup_system_key(0);
	if (!builtin)
		return -1;
	struct bpf_key *platform = bpf_lookup_system_key(2);
	if (!platform) {
		bpf_key_put(builtin);
		return -2;
	}
	int same = builtin == platform;
	bpf_key_put(builtin);
	bpf_key_put(platform);
	return same ? 1 : 0;
}

/* Refused: the handle is never put. */
SEC("tc")
int leaked(struct __sk_buff *skb)
{
	struct bpf_key *bkey = bpf_lookup_system_key(1);

	return bkey ? 1 : 0;
}

/* Refused: put without the NULL check. */
SEC("tc")
int put_unchecked(struct __sk_buff *skb)
{
	bpf_key_put(bpf_lookup_system_key(1));
	return 0;
}

/* Refused: put twice. */
SEC("tc")
int put_twice(struct __sk_buff *skb)
{
	struct bpf_key *bkey = bpf_lookup_system_key(1);

	if (!bkey)
		return 0;
	bpf_key_put(bkey);
	bpf_key_put(bkey);
	return 1;
}

/* Refused: a task is no key. */
SEC("tc")
int put_task(struct __sk_buff *skb)
{
	bpf_key_put((struct bpf_key *)current_task());
	return 0;
}

/* Refused: the handle is read only. */
SEC("tc")
int write_handle(struct __sk_buff *skb)
{
	struct bpf_key *bkey = bpf_lookup_system_key(1);

	if (!bkey)
		return 0;
	bkey->has_ref = 1;
	bpf_key_put(bkey);
	return 1;
}

/* Refused: read past the handle's struct. */
SEC("tc")
int read_past(struct __sk_buff *skb)
{
	struct bpf_key *bkey = bpf_lookup_system_key(1);
	int ret;

	if (!bkey)
		return 0;
	ret = ((volatile int *)bkey)[4];
	bpf_key_put(bkey);
	return ret;
}

/* Refused: the id is a number, not a pointer. */
SEC("tc")
int pointer_id(struct __sk_buff *skb)
{
	struct bpf_key *bkey = bpf_lookup_system_key((__u64)(long)skb);

	if (!bkey)
		return 0;
	bpf_key_put(bkey);
	return 1;
}

/* Refused: signature checks are not for tc programs (whether reached or not). */
SEC("tc")
int verify_signature(struct __sk_buff *skb)
{
	struct bpf_dynptr data, sig;
	struct bpf_key *bkey;
	int ret;

	if (bpf_dynptr_from_skb(skb, 0, &data) || bpf_dynptr_from_skb(skb, 0, &sig))
		return 0;
	bkey = bpf_lookup_system_key(0);
	if (!bkey)
		return 0;
	ret = bpf_verify_pkcs7_signature(&data, &sig, bkey);
	bpf_key_put(bkey);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
