/* The string kfuncs (bpf_strcmp ... bpf_strnstr) on strings where a tc program keeps them: its
 * stack, .rodata literals, a global's map value, the packet; and on addresses it may not read.
 * The request's u8 @14 picks the case, u8 @15 is a count, u8 @16 a character; case 0 takes two
 * strings from the packet (@20 and @52, 32 bytes each). Each result is an int, stored from @84
 * (case 4, on a string in the packet at @20, stores them from @0). */
#include "kfuncs.h"

extern int bpf_strcmp(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strcasecmp(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strchr(const char *s__ign, char c) __ksym;
extern int bpf_strchrnul(const char *s__ign, char c) __ksym;
extern int bpf_strnchr(const char *s__ign, __u64 count, char c) __ksym;
extern int bpf_strrchr(const char *s__ign, int c) __ksym;
extern int bpf_strlen(const char *s__ign) __ksym;
extern int bpf_strnlen(const char *s__ign, __u64 count) __ksym;
extern int bpf_strspn(const char *s__ign, const char *accept__ign) __ksym;
extern int bpf_strcspn(const char *s__ign, const char *reject__ign) __ksym;
extern int bpf_strstr(const char *s1__ign, const char *s2__ign) __ksym;
extern int bpf_strnstr(const char *s1__ign, const char *s2__ign, __u64 len) __ksym;

#define RESULTS 84
#define BIG 65600

/* A global string the program may change, and a large buffer filled at run time. */
char greeting[16] = "Hello, World";
char big[BIG];

static __always_inline void *address(__u64 value)
{
	return (void *)value;
}

SEC("tc")
int strings(struct __sk_buff *skb)
{
	char s1[33], s2[33];
	int r[12] = {};
	__u8 op, n, c;

	if (bpf_skb_load_bytes(skb, 14, &op, 1) || bpf_skb_load_bytes(skb, 15, &n, 1) ||
	    bpf_skb_load_bytes(skb, 16, &c, 1))
		return 1;

	switch (op) {
	case 0: /* two strings from the packet, on the stack */
		if (bpf_skb_load_bytes(skb, 20, s1, 32) || bpf_skb_load_bytes(skb, 52, s2, 32))
			return 2;
		s1[32] = 0;
		s2[32] = 0;
		r[0] = bpf_strcmp(s1, s2);
		r[1] = bpf_strcasecmp(s1, s2);
		r[2] = bpf_strstr(s1, s2);
		r[3] = bpf_strnstr(s1, s2, n);
		r[4] = bpf_strspn(s1, s2);
		r[5] = bpf_strcspn(s1, s2);
		r[6] = bpf_strlen(s1);
		r[7] = bpf_strnlen(s1, n);
		r[8] = bpf_strchr(s1, c);
		r[9] = bpf_strchrnul(s1, c);
		r[10] = bpf_strrchr(s1, (signed char)c);
		r[11] = bpf_strnchr(s1, n, c);
		break;
	case 1: /* .rodata literals and a global */
		r[0] = bpf_strcmp("abc", "abd");
		r[1] = bpf_strcmp(greeting, "Hello, World");
		r[2] = bpf_strcasecmp(greeting, "hELLO, wORLD");
		r[3] = bpf_strstr(greeting, "World");
		r[4] = bpf_strstr(greeting, "");
		r[5] = bpf_strlen(greeting);
		r[6] = bpf_strrchr(greeting, 'o');
		r[7] = bpf_strspn("  \t x", " \t");
		r[8] = bpf_strcspn(greeting, ",!");
		r[9] = bpf_strchr("", 0);
		r[10] = bpf_strnstr("abcabd", "abd", 5);
		r[11] = bpf_strnstr("abcabd", "abd", 6);
		greeting[0] = 'J';
		break;
	case 2: /* addresses no string may come from */
		r[0] = bpf_strlen(address(0));
		r[1] = bpf_strlen(address(0x1000));
		r[2] = bpf_strlen(address(1ULL << 47));
		r[3] = bpf_strlen(address(0x8000000000000000ULL));
		r[4] = bpf_strlen(address(0xffffffffff600000ULL));
		r[5] = bpf_strlen(address(0xffffffffffffff00ULL));
		r[6] = bpf_strcmp("abc", address(0x1000));
		r[7] = bpf_strcmp(address(0xffffffffffffff00ULL), "abc");
		r[8] = bpf_strstr("abc", address(0));
		r[9] = bpf_strspn(address(0xffffffffffffff00ULL), address(0x1000));
		r[10] = bpf_strnlen(address(0), 0);
		r[11] = bpf_strchr(address(0x00007ffffffff000ULL), 'a');
		break;
	case 3: { /* lengths: the 64 KiB limit, counts far past it, counts of 0 */
		struct bpf_dynptr whole;

		if (bpf_dynptr_from_mem(big, BIG, 0, &whole) || bpf_dynptr_memset(&whole, 0, BIG, 'a'))
			return 3;
		big[65535] = 0;
		r[0] = bpf_strlen(big);
		r[1] = bpf_strnlen(big, 1ULL << 40);
		r[2] = bpf_strchr(big, 'b');
		r[3] = bpf_strrchr(big, 'a');
		r[4] = bpf_strcmp(big, big);
		r[5] = bpf_strspn(big, "a");
		big[65535] = 'a';
		big[65536] = 0;
		r[6] = bpf_strlen(big);
		r[7] = bpf_strchrnul(big, 'x');
		r[8] = bpf_strspn("aab", big);
		r[9] = bpf_strnchr(big, 0, 'a');
		r[10] = bpf_strnstr(big, "b", -1ULL);
		r[11] = bpf_strnstr("", "", 0);
		break;
	}
	case 4: { /* a string in the packet itself, and one at the packet's end */
		void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
		char *text = data + 20;

		if ((void *)(text + 8) > end)
			return 4;
		r[0] = bpf_strlen(text);
		r[1] = bpf_strnlen(text, n);
		r[2] = bpf_strchr(text, c);
		r[3] = bpf_strcmp(text, "GET /");
		r[4] = bpf_strstr(text, "HTTP");
		r[5] = bpf_strcspn(text, " ");
		r[6] = bpf_strlen(end);
		r[7] = bpf_strcmp(end, "");
		/* Over the Ethernet header: the packet may be too short for RESULTS. */
		if (bpf_skb_store_bytes(skb, 0, r, 8 * sizeof(int), 0))
			return 6;
		return 0;
	}
	default:
		return 5;
	}
	if (bpf_skb_store_bytes(skb, RESULTS, r, sizeof(r), 0))
		return 6;
	return 0;
}

/* A count that is a pointer: refused ("R2 is not a scalar"). */
SEC("tc")
int strings_count_pointer(struct __sk_buff *skb)
{
	return bpf_strnlen("abc", (__u64)(long)skb);
}

/* Strings where the kernel would read on into memory the program does not own: past the end
 * of a map value, the context (the kernel's struct sk_buff), pointers past a value, the stack
 * or the packet. The kernel's answers depend on what lies there; the embedded backend answers
 * EFAULT or ERANGE without reading it (StringKfuncHostileTests). Results as in strings(). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[8]);
} words SEC(".maps");

SEC("tc")
int strings_hostile(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	char local[8] = "abcdefg";
	int r[12] = {};
	__u32 zero = 0;
	char *value;

	value = bpf_map_lookup_elem(&words, &zero);
	if (!value)
		return 1;
	__builtin_memcpy(value, "abcdefgh", 8);
	r[0] = bpf_strlen(value);
	r[1] = bpf_strnlen(value, 8);
	r[2] = bpf_strnlen(value, 9);
	r[3] = bpf_strcmp(value, value);
	r[4] = bpf_strchr(value, 'h');
	r[5] = bpf_strlen((const char *)skb);
	r[6] = bpf_strlen(value + 8);
	r[7] = bpf_strlen(value + (1 << 20));
	r[8] = bpf_strlen(local + 8);
	r[9] = bpf_strlen(data + 5000);
	r[10] = bpf_strstr(local, value);
	r[11] = bpf_strspn(value, local);
	if (bpf_skb_store_bytes(skb, RESULTS, r, sizeof(r), 0))
		return 6;
	return 0;
}

char _license[] SEC("license") = "GPL";
