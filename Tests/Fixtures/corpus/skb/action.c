/* tc actions (SEC("action"), BPF_PROG_TYPE_SCHED_ACT, as act_bpf runs them): the classifier's
 * context and helpers under their own program type, which tcx hooks refuse to link. */
#include "skb_helpers.h"

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr) __attribute__((section(".ksyms")));

/* Marks the packet from its length and rewrites its last byte; the verdict is the length's low bits
 * (an action returns TC_ACT_* codes: any value loads). */
SEC("action") int act_rewrite(struct __sk_buff *skb)
{
	__u8 last = (__u8)(skb->len ^ skb->protocol);
	skb->mark = skb->len * 3;
	skb->priority = skb->mark + 1;
	skb->cb[0] = skb->ifindex;
	if (skb->len > 14)
		bpf_skb_store_bytes(skb, skb->len - 1, &last, 1, 0);
	return (int)(skb->len & 7) - 1;
}

/* Direct packet access: swaps the two MAC addresses when there is an Ethernet header. */
SEC("action") int act_swap_macs(struct __sk_buff *skb)
{
	__u8 *data = (__u8 *)(long)skb->data;
	__u8 *end = (__u8 *)(long)skb->data_end;
	if (data + 12 > end)
		return 2;
	for (int i = 0; i < 6; i++) {
		__u8 t = data[i];
		data[i] = data[i + 6];
		data[i + 6] = t;
	}
	return 3;
}

/* An skb dynptr (a kfunc the kernel registers per program type): the first byte past the
 * Ethernet header, or the error read gives. */
SEC("action") int act_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	__u8 byte = 0;
	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return -100;
	long err = bpf_dynptr_read(&byte, 1, &ptr, 14, 0);
	return err ? (int)err : byte;
}

/* Kfuncs the kernel registers for classifiers only: refused to an action at load (EACCES). */
struct bpf_sock_tuple { __u32 saddr, daddr; __u16 sport, dport; };
struct bpf_ct_opts { int netns_id, error; __u8 l4proto, dir; __u16 ct_zone_id; __u8 ct_zone_dir, reserved[3]; };
struct nf_conn { __u32 mark; };
extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb, struct bpf_sock_tuple *tuple, __u32 tuple_size,
					 struct bpf_ct_opts *opts, __u32 opts_size) __attribute__((section(".ksyms")));
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __attribute__((section(".ksyms")));

SEC("action") int act_conntrack(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = { 0x0100000a, 0x0200000a, 0x3930, 0x5000 };
	struct bpf_ct_opts opts = { .netns_id = -1, .l4proto = 6 };
	return bpf_skb_ct_lookup(skb, &tuple, sizeof(tuple), &opts, sizeof(opts)) ? 1 : 0;
}

SEC("action") int act_obj_new(struct __sk_buff *skb)
{
	return bpf_obj_new_impl(1, 0) ? 1 : 0;
}

/* A prog array serves one program type: the first program that uses it decides (here, actions). */
static long (*bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)12;
struct {
	__uint(type, 3 /* BPF_MAP_TYPE_PROG_ARRAY */);
	__uint(max_entries, 2);
	__uint(key_size, 4);
	__uint(value_size, 4);
} actions SEC(".maps");

SEC("action") int act_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &actions, 0);
	return 4;
}

SEC("tc") int cls_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &actions, 0);
	return 5;
}

char LICENSE[] SEC("license") = "GPL";
