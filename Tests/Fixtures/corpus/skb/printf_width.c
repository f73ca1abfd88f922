/* Widths a printf helper must count, not build: the kernel clamps a width to 2^23 - 1 after
 * reading its digits into a wrapping int, and returns the whole length even when the line or
 * buffer keeps less. The selector @14 picks a case; the result (s64 @15) and the 16 bytes
 * snprintf kept (@23) are written into the packet. */
#include "skb_helpers.h"

static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;

#define PRINTK(fmt, ...) ({ char f_[] = fmt; n = bpf_trace_printk(f_, sizeof(f_), ##__VA_ARGS__); })
#define SNPRINTF(fmt) n = bpf_snprintf(text, sizeof(text), fmt, args, sizeof(args))

SEC("tc")
int widths(struct __sk_buff *skb)
{
	__u8 sel;
	long n = 0;
	char text[16];
	char word[4] = "ab";
	__u64 args[2] = { 5, (__u64)(unsigned long)word };

	if (bpf_skb_load_bytes(skb, 14, &sel, 1))
		return 2;
	__builtin_memset(text, '.', sizeof(text));
	switch (sel) {
	case 0: PRINTK("%2000d", 1); break;
	case 1: PRINTK("%100000d", 1); break;
	case 2: PRINTK("%9000000d", 1); break;
	case 3: PRINTK("%99999999999999999999d", 1); break;
	case 4: PRINTK("%4294967295d", 1); break;
	case 5: PRINTK("%-600s|", word); break;
	case 6: PRINTK("%c", 0xe9); break;
	case 7: PRINTK("%-9000000c|", 'z'); break;
	case 8: SNPRINTF("%9000000d"); break;
	case 9: args[0] = args[1]; args[1] = 5; SNPRINTF("%-30s|%d"); break;
	case 10: SNPRINTF("%2147483647x"); break;
	case 11: SNPRINTF("%2147483648d"); break;
	case 12: SNPRINTF("%0000000000000000000000004d"); break;
	default: args[1] = 0xab; SNPRINTF("%+08d|%-4x|"); break;
	}
	bpf_skb_store_bytes(skb, 15, &n, 8, 0);
	bpf_skb_store_bytes(skb, 23, text, sizeof(text), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
