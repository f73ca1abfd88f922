/* bpf_snprintf formats the verifier accepts (it checks the constant format and the argument
 * count at load, so refused ones cannot share a program): the selector @14 picks one; the result (s32 @15) and the text (48 bytes
 * @19) are written into the packet. Arguments come from the packet (u64s @67..) and from a
 * stack block (addresses and a string). */
#include "skb_helpers.h"

#define FORMAT(fmt) n = bpf_snprintf(text, sizeof(text), fmt, args, sizeof(args)); break

SEC("tc")
int formats(struct __sk_buff *skb)
{
	__u8 sel;
	__u64 args[4];
	char text[48];
	long n;
	__u8 v4[4] = { 10, 0, 2, 15 };
	__u8 v6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0x01 };
	char name[8] = "tcx-rt";

	if (bpf_skb_load_bytes(skb, 14, &sel, 1) || bpf_skb_load_bytes(skb, 67, args, 32))
		return 2;
	__builtin_memset(text, 0, sizeof(text));
	switch (sel) {
	case 0: FORMAT("%d %i %u");
	case 1: FORMAT("[%5d|%-5d|%05d]");
	case 2: FORMAT("%lld %llx %llu");
	case 3: FORMAT("%x %X %+d % d");
	case 4: FORMAT("%c%c%c!");
	case 9: FORMAT("100%% %ld");
	case 10: args[0] = (__u64)(unsigned long)v4; FORMAT("%pI4 %u");
	case 11: args[0] = (__u64)(unsigned long)v4; FORMAT("%pi4");
	case 12: args[0] = (__u64)(unsigned long)v6; FORMAT("%pI6");
	case 13: args[0] = (__u64)(unsigned long)v6; FORMAT("%pi6");
	case 14: FORMAT("%px");
	case 15: args[0] = (__u64)(unsigned long)name; FORMAT("<%s>");
	case 16: args[0] = (__u64)(unsigned long)name; FORMAT("<%10s|%-8s>");
	case 17: args[0] = (__u64)(unsigned long)name; FORMAT("%pks");
	default: FORMAT("%16llx|%-16lx|");
	}
	bpf_skb_store_bytes(skb, 15, &n, 4, 0);
	bpf_skb_store_bytes(skb, 19, text, sizeof(text), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
