/* The string kfuncs' number arguments in full 64-bit registers: the kfuncs are declared here
 * with u64 parameters (libbpf accepts any integer for an integer), so the high bits reach the
 * kernel. A `char c` uses only its low byte, strrchr's `int c` its low 32 bits compared with
 * each unsigned byte, a `size_t` count all 64. Results (ints) are stored from @20. */
#include "kfuncs.h"

extern int bpf_strchr(const char *s__ign, __u64 c) __ksym;
extern int bpf_strchrnul(const char *s__ign, __u64 c) __ksym;
extern int bpf_strnchr(const char *s__ign, __u64 count, __u64 c) __ksym;
extern int bpf_strrchr(const char *s__ign, __u64 c) __ksym;
extern int bpf_strnlen(const char *s__ign, __u64 count) __ksym;

SEC("tc")
int string_args(struct __sk_buff *skb)
{
	/* Volatile, so the values reach the calls whole. */
	volatile __u64 high_byte = 0x161, high_word = 0x100000061ULL, negative = -31LL, count = 0x100000001ULL;
	int r[8] = {};

	r[0] = bpf_strchr("xa", high_byte);
	r[1] = bpf_strchrnul("xa", high_byte);
	r[2] = bpf_strnchr("xa", 5, high_byte);
	r[3] = bpf_strrchr("xa", high_word);
	r[4] = bpf_strrchr("xa", high_byte);
	r[5] = bpf_strchr("x\xe1", negative);
	r[6] = bpf_strnlen("abc", count);
	r[7] = bpf_strrchr("x\xe1", negative);
	if (bpf_skb_store_bytes(skb, 20, r, sizeof(r), 0))
		return 1;
	return 0;
}

char _license[] SEC("license") = "GPL";
