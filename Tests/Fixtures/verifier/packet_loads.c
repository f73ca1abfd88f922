/* LD_ABS and LD_IND read an skb's packet: the kernel refuses them, when a path reaches them, in
 * a program whose context is no skb (XDP's xdp_md). Written for swift-tcx; the kernel's verdicts
 * are recorded in packet_loads.tcx. */
#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

SEC("xdp") NAKED int xdp_packet_load(void)
{
	asm volatile(
		"r6 = r1;"
		"r0 = *(u8 *)skb[12];"
		"r0 = 2;"
		"exit;" ::: "memory");
}

/* Behind a comparison of 0 with 0: no path reaches it. */
SEC("xdp") NAKED int xdp_packet_load_unreached(void)
{
	asm volatile(
		"r6 = r1;"
		"r1 = 0;"
		"if r1 == 0 goto 1f;"
		"r0 = *(u16 *)skb[6];"
		"1: r0 = 2;"
		"exit;" ::: "memory");
}

SEC("tc") NAKED int tc_packet_load(void)
{
	asm volatile(
		"r6 = r1;"
		"r0 = *(u8 *)skb[12];"
		"r0 = 0;"
		"exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
