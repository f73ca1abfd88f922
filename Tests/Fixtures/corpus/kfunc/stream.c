/* bpf_stream_vprintk_impl, as libbpf's bpf_stream_printk calls it: a format in .rodata, the
 * arguments as an array of u64 on the stack. Each call's result (an int) is stored from @20;
 * the request's u8 @14 = 1 prints one 400-byte line and returns its result instead. */
#include "kfuncs.h"

extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args, __u32 len__sz,
				   void *aux__prog) __ksym;

#define OUT 1
#define ERR 2

SEC("tc")
int stream_print(struct __sk_buff *skb)
{
	static const char hello[] = "hello %d\n", plain[] = "plain\n", unknown[] = "%y\n";
	static const char wide[] = "%500d%20d", line[] = "%400d", two[] = "%d and %d\n";
	static const char mixed[] = "%lld %llx %u %c %% %5d|%-5d|\n";
	__u64 args[13] = {42, 7, 'z', 3, 4};
	int r[12] = {};
	__u8 op;

	if (bpf_skb_load_bytes(skb, 14, &op, 1))
		return 1;
	if (op == 1)
		return bpf_stream_vprintk_impl(OUT, line, args, 8, 0);
	r[0] = bpf_stream_vprintk_impl(OUT, hello, args, 8, 0);
	r[1] = bpf_stream_vprintk_impl(ERR, plain, args, 0, 0);
	r[2] = bpf_stream_vprintk_impl(0, plain, args, 0, 0);
	r[3] = bpf_stream_vprintk_impl(3, plain, args, 0, 0);
	r[4] = bpf_stream_vprintk_impl(-1, plain, args, 0, 0);
	r[5] = bpf_stream_vprintk_impl(OUT, plain, args, 4, 0);
	r[6] = bpf_stream_vprintk_impl(OUT, plain, args, 104, 0);
	r[7] = bpf_stream_vprintk_impl(OUT, unknown, args, 8, 0);
	r[8] = bpf_stream_vprintk_impl(OUT, wide, args, 16, 0);
	r[9] = bpf_stream_vprintk_impl(OUT, two, args, 8, 0);
	r[10] = bpf_stream_vprintk_impl(ERR, two, args, 16, 0);
	r[11] = bpf_stream_vprintk_impl(OUT, mixed, args, 56, 0);
	if (bpf_skb_store_bytes(skb, 20, r, sizeof(r), 0))
		return 2;
	return 0;
}

/* The format must be a constant string: not on the stack ... */
SEC("tc")
int stream_format_on_stack(struct __sk_buff *skb)
{
	char format[4] = "hi\n";
	__u64 args[1] = {};

	return bpf_stream_vprintk_impl(OUT, format, args, 0, 0);
}

/* ... and not in a map the program may write. */
SEC("tc")
int stream_format_writable(struct __sk_buff *skb)
{
	static char format[4] = "hi\n";
	__u64 args[1] = {};

	return bpf_stream_vprintk_impl(OUT, format, args, 0, 0);
}

char _license[] SEC("license") = "GPL";
