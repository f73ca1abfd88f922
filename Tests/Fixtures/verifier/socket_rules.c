/* SOCKET_FILTER programs, each on one rule of that program type: its context (no direct packet
 * access, stores only to cb[]), its helpers (no tc-only ones), legacy packet loads relative to the
 * network header. Written for swift-tcx; the kernel's verdicts and test-run results are recorded
 * in socket_rules.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_load_bytes_relative)(const void *skb, __u32 offset, void *to, __u32 len, __u32 start) =
	(void *)BPF_FUNC_skb_load_bytes_relative;
static long (*skb_vlan_push)(struct __sk_buff *skb, __be16 proto, __u16 tci) = (void *)BPF_FUNC_skb_vlan_push;

/* Keep TCP segments whole, drop the rest: the legacy load reads the IP protocol byte. */
SEC("socket") int tcp_only(struct __sk_buff *skb)
{
	return load_byte(skb, 9) == 6 ? skb->len : 0;
}

SEC("socket") int header_fields(struct __sk_buff *skb)
{
	return (skb->protocol << 16) ^ (skb->pkt_type << 8) ^ skb->ifindex ^ load_half(skb, 2);
}

SEC("socket") int cb_write(struct __sk_buff *skb)
{
	skb->cb[1] = skb->len;
	return skb->cb[1] + 1;
}

SEC("socket") int mark_write(struct __sk_buff *skb)
{
	skb->mark = 1;
	return 0;
}

SEC("socket") int data_read(struct __sk_buff *skb)
{
	return *(volatile __u32 *)&skb->data != 0;
}

SEC("socket") int tstamp_read(struct __sk_buff *skb)
{
	return *(volatile __u64 *)&skb->tstamp != 0;
}

SEC("socket") int load_bytes(struct __sk_buff *skb)
{
	__u8 buffer[4];
	if (skb_load_bytes(skb, 0, buffer, sizeof(buffer)))
		return -1;
	return buffer[0] << 8 | buffer[3];
}

SEC("socket") int mac_bytes(struct __sk_buff *skb)
{
	__u8 buffer[14];
	if (skb_load_bytes_relative(skb, 0, buffer, sizeof(buffer), BPF_HDR_START_MAC))
		return -1;
	return buffer[5] << 8 | buffer[13];
}

SEC("socket") int tc_helper(struct __sk_buff *skb)
{
	return skb_vlan_push(skb, 0x8100, 1);
}

char _license[] SEC("license") = "GPL";
