/* Tunnel metadata: a program sets a tunnel key and options taken from the packet, reads them
 * back, and writes every return code and buffer into the packet.
 *
 * Input after the Ethernet header (offset 14): set-size selector, get-size selector,
 * option-size selector, pad; set flags (u32 @18); get flags (u32 @22); the key (44 bytes @26);
 * options (16 bytes @70). Output: four return codes (s32 @86..101), the key read back
 * (@102..145), the options read back (@146..161). */
#include "skb_helpers.h"

#define IN_KEY 26
#define IN_OPT 70
#define OUT_RET 86
#define OUT_KEY 102
#define OUT_OPT 146

static __always_inline long set_key(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u8 sel, __u64 flags)
{
	switch (sel) {
	case 0: return bpf_skb_set_tunnel_key(skb, key, 44, flags);
	case 1: return bpf_skb_set_tunnel_key(skb, key, 28, flags);
	case 2: return bpf_skb_set_tunnel_key(skb, key, 24, flags);
	case 3: return bpf_skb_set_tunnel_key(skb, key, 8, flags);
	case 4: return bpf_skb_set_tunnel_key(skb, key, 12, flags);
	default: return 1;
	}
}

static __always_inline long get_key(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u8 sel, __u64 flags)
{
	switch (sel) {
	case 0: return bpf_skb_get_tunnel_key(skb, key, 44, flags);
	case 1: return bpf_skb_get_tunnel_key(skb, key, 28, flags);
	case 2: return bpf_skb_get_tunnel_key(skb, key, 22, flags);
	case 3: return bpf_skb_get_tunnel_key(skb, key, 8, flags);
	case 4: return bpf_skb_get_tunnel_key(skb, key, 40, flags);
	default: return 1;
	}
}

static __always_inline long set_opt(struct __sk_buff *skb, __u8 *opt, __u8 sel)
{
	switch (sel) {
	case 0: return bpf_skb_set_tunnel_opt(skb, opt, 16);
	case 1: return bpf_skb_set_tunnel_opt(skb, opt, 8);
	case 2: return bpf_skb_set_tunnel_opt(skb, opt, 6);
	case 3: return bpf_skb_set_tunnel_opt(skb, opt, 4);
	default: return 1;
	}
}

SEC("tc")
int tunnel_roundtrip(struct __sk_buff *skb)
{
	__u8 sel[4];
	__u32 flags[2];
	struct bpf_tunnel_key key = {}, back = {};
	__u8 opt[16] = {}, opt_back[16] = {};
	__s32 ret[4];

	if (bpf_skb_load_bytes(skb, 14, sel, 4) || bpf_skb_load_bytes(skb, 18, flags, 8) ||
	    bpf_skb_load_bytes(skb, IN_KEY, &key, 44) || bpf_skb_load_bytes(skb, IN_OPT, opt, 16))
		return 2;
	ret[0] = set_key(skb, &key, sel[0], flags[0]);
	ret[1] = get_key(skb, &back, sel[1], flags[1]);
	ret[2] = set_opt(skb, opt, sel[2]);
	/* A short buffer first: ENOMEM when the options do not fit. */
	if (sel[3] == 1)
		ret[3] = bpf_skb_get_tunnel_opt(skb, opt_back, 4);
	else
		ret[3] = bpf_skb_get_tunnel_opt(skb, opt_back, 16);
	bpf_skb_store_bytes(skb, OUT_RET, ret, 16, 0);
	bpf_skb_store_bytes(skb, OUT_KEY, &back, 44, 0);
	bpf_skb_store_bytes(skb, OUT_OPT, opt_back, 16, 0);
	return 0;
}

/* Reading before any key is set. */
SEC("tc")
int tunnel_absent(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key;
	__u8 opt[8];
	__s32 ret[3];

	__builtin_memset(&key, 0xaa, sizeof(key));
	__builtin_memset(opt, 0xaa, sizeof(opt));
	ret[0] = bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0);
	ret[1] = bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt));
	ret[2] = bpf_skb_set_tunnel_opt(skb, opt, sizeof(opt));
	bpf_skb_store_bytes(skb, 14, ret, 12, 0);
	bpf_skb_store_bytes(skb, 26, &key, 44, 0);
	bpf_skb_store_bytes(skb, 70, opt, 8, 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
