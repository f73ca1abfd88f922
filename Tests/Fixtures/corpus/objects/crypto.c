/* A tc program that decrypts a UDP payload with a crypto context kept in a map value's kptr
 * field, in the style of programs that set the context up from a syscall program first. The
 * context here is never set up, so every run finds the field empty: what is checked is that
 * the program loads, and the kernel's answers when the kfuncs are called wrongly. */
#include "objects.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

/* Only its name matters: the kernel matches a kptr's kernel type by name. */
struct bpf_crypto_ctx {
	int opaque;
};

extern int bpf_crypto_decrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
			      const struct bpf_dynptr *dst, const struct bpf_dynptr *siv__nullable) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
			      const struct bpf_dynptr *dst, const struct bpf_dynptr *siv__nullable) __ksym;
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *ptr, __u32 start, __u32 end) __ksym;

struct cipher_slot {
	struct bpf_crypto_ctx __kptr *ctx;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct cipher_slot);
	__uint(max_entries, 1);
} ciphers SEC(".maps");

char plain[16];
int last_status = 1;

#define PAYLOAD (ETH_HLEN + sizeof(struct iphdr) + sizeof(struct udphdr))

/* 16 payload bytes after an IPv4 header without options and a UDP header, as a dynptr. */
static int payload(struct __sk_buff *skb, struct bpf_dynptr *src)
{
	if (skb->len < PAYLOAD + 16)
		return -1;
	bpf_dynptr_from_skb(skb, 0, src);
	bpf_dynptr_adjust(src, PAYLOAD, PAYLOAD + 16);
	return 0;
}

static struct bpf_crypto_ctx *cipher(void)
{
	__u32 key = 0;
	struct cipher_slot *slot = bpf_map_lookup_elem(&ciphers, &key);

	return slot ? slot->ctx : 0;
}

SEC("tc")
int decrypt_payload(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;
	struct bpf_crypto_ctx *ctx;

	if (payload(skb, &src)) {
		last_status = -22;
		return 2;
	}
	ctx = cipher();
	if (!ctx) {
		last_status = -2;
		return 2;
	}
	bpf_dynptr_from_mem(plain, sizeof(plain), 0, &dst);
	last_status = bpf_crypto_decrypt(ctx, &src, &dst, 0);
	return 0;
}

SEC("tc")
int encrypt_payload(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;
	struct bpf_crypto_ctx *ctx;

	if (payload(skb, &src))
		return 2;
	ctx = cipher();
	if (!ctx)
		return 3;
	bpf_dynptr_from_mem(plain, sizeof(plain), 0, &dst);
	return bpf_crypto_encrypt(ctx, &src, &dst, &src);
}

SEC("tc")
int status(struct __sk_buff *skb)
{
	return last_status;
}

SEC("tc")
int ctx_unchecked(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;

	if (payload(skb, &src))
		return 2;
	bpf_dynptr_from_mem(plain, sizeof(plain), 0, &dst);
	return bpf_crypto_decrypt(cipher(), &src, &dst, 0);
}

SEC("tc")
int dst_uninitialised(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;
	struct bpf_crypto_ctx *ctx;

	if (payload(skb, &src))
		return 2;
	ctx = cipher();
	if (!ctx)
		return 3;
	return bpf_crypto_decrypt(ctx, &src, &dst, 0);
}

SEC("tc")
int ctx_from_stack(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;
	struct bpf_crypto_ctx fake = {};

	if (payload(skb, &src))
		return 2;
	bpf_dynptr_from_mem(plain, sizeof(plain), 0, &dst);
	return bpf_crypto_decrypt(&fake, &src, &dst, 0);
}
