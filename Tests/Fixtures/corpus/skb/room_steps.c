/* Resizing steps applied one after the other to one skb: up to four steps at the packet's end
 * (code, a, b, c as u64) change the packet, and each step's result, skb->len and skb->protocol
 * go to the `steps` map, which the script reads back. Codes: 1 adjust_room(a, mode b, flags c),
 * 2 change_tail(a), 3 change_head(a), 4 change_proto(a), 5 vlan_push(a, b), 6 set_tstamp(a, b),
 * 7 the u32 at offset a from header b (load_bytes_relative). */
#include "skb_helpers.h"

static long (*bpf_skb_vlan_push)(struct __sk_buff *skb, __u16 proto, __u16 tci) = (void *)18;
static long (*bpf_skb_change_tail)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)38;
static long (*bpf_skb_change_head)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)43;

struct step { __u64 code, a, b, c; };
struct outcome { __s64 ret; __u32 len, protocol; };
struct outcomes { struct outcome at[4]; };

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct outcomes);
} steps SEC(".maps");

static __attribute__((noinline)) long apply(struct __sk_buff *skb, struct step *s)
{
	switch (s->code) {
	case 1: return bpf_skb_adjust_room(skb, (__s32)s->a, s->b, s->c);
	case 2: return bpf_skb_change_tail(skb, s->a, 0);
	case 3: return bpf_skb_change_head(skb, s->a, 0);
	case 4: return bpf_skb_change_proto(skb, s->a, 0);
	case 5: return bpf_skb_vlan_push(skb, s->a, s->b);
	case 6: return bpf_skb_set_tstamp(skb, s->a, s->b);
	case 7: {
		__u32 v = 0;
		long r = bpf_skb_load_bytes_relative(skb, s->a, &v, 4, s->b);
		return r ? r : v;
	}
	}
	return -1;
}

SEC("tc")
int resize_steps(struct __sk_buff *skb)
{
	struct step list[4];
	__u32 key = 0, len = skb->len;
	struct outcomes *out = bpf_map_lookup_elem(&steps, &key);

	if (!out || len < sizeof(list) || len > 4096)
		return 2;
	if (bpf_skb_load_bytes(skb, len - sizeof(list), list, sizeof(list)))
		return 2;
	for (int i = 0; i < 4; i++) {
		if (!list[i].code)
			break;
		out->at[i].ret = apply(skb, &list[i]);
		out->at[i].len = skb->len;
		out->at[i].protocol = skb->protocol;
	}
	return 0;
}

char _license[] SEC("license") = "GPL";
