/* XDP programs reading their packet, metadata and struct xdp_md: what the kernel proves in
 * bounds loads, what it cannot prove is refused. Written for swift-tcx; the kernel's verdicts
 * are recorded in xdp_context.tcx (the embedded backend loads XDP programs through the same
 * path analysis as tc, with the xdp_md context, and runs none of them). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

/* Eight bytes read once data + 8 is proven at or before data_end. */
SEC("xdp") int packet_in_range(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (data + 8 > end)
		return XDP_DROP;
	return *(volatile __u64 *)data == 0 ? XDP_PASS : XDP_TX;
}

/* Eight bytes at offset 4 when only eight are proven: past the range. */
SEC("xdp") NAKED int packet_past_range(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r4 = r2;"
		"r4 += 8;"
		"if r4 > r3 goto 1f;"
		"r0 = *(u64 *)(r2 + 4);"
		"1: r0 = 2;"
		"exit;" ::: "memory");
}

/* Four bytes of metadata read once meta + 4 is proven at or before data. */
SEC("xdp") int meta_in_range(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	__u32 *meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > data)
		return XDP_PASS;
	return *(volatile __u32 *)meta == 7 ? XDP_DROP : XDP_PASS;
}

/* Metadata read with nothing proven. */
SEC("xdp") NAKED int meta_unchecked(void)
{
	asm volatile(
		"r2 = *(u32 *)(r1 + 8);"
		"r0 = *(u8 *)(r2 + 0);"
		"r0 = 2;"
		"exit;" ::: "memory");
}

/* The interface and queue the packet came in on: plain numbers. */
SEC("xdp") int ingress_fields(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex + ctx->rx_queue_index > 100 ? XDP_DROP : XDP_PASS;
}

/* struct xdp_md is read-only to a program that is not offloaded. */
SEC("xdp") NAKED int context_write(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u32 *)(r1 + 16) = r2;"
		"r0 = 2;"
		"exit;" ::: "memory");
}

/* Its fields are read 32 bits at a time, no narrower. */
SEC("xdp") NAKED int context_narrow(void)
{
	asm volatile(
		"r0 = *(u16 *)(r1 + 12);"
		"r0 = 2;"
		"exit;" ::: "memory");
}

/* A pointer proven before bpf_xdp_adjust_head is not one after it. */
SEC("xdp") NAKED int adjust_head_forgets(void)
{
	asm volatile(
		"r6 = r1;"
		"r2 = *(u32 *)(r1 + 0);"
		"r3 = *(u32 *)(r1 + 4);"
		"r4 = r2;"
		"r4 += 8;"
		"if r4 > r3 goto 1f;"
		"r7 = r2;"
		"r1 = r6;"
		"r2 = 0;"
		"call %[adjust_head];"
		"r0 = *(u8 *)(r7 + 0);"
		"1: r0 = 2;"
		"exit;"
		:: [adjust_head] "i"(BPF_FUNC_xdp_adjust_head) : "memory");
}

/* data_end cannot be moved. */
SEC("xdp") NAKED int end_moved(void)
{
	asm volatile(
		"r3 = *(u32 *)(r1 + 4);"
		"r3 += 8;"
		"r0 = 2;"
		"exit;" ::: "memory");
}

char LICENSE[] SEC("license") = "GPL";

/* egress_ifindex is the device a devmap sends to: only xdp/devmap programs may read it. */
SEC("xdp") int egress_plain(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("xdp/devmap") int egress_devmap(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("xdp/cpumap") int egress_cpumap(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}
