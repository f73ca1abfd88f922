/* The bit iterator (bpf_iter_bits_new/next/destroy): the set bits of words the program points
 * at, lowest first. The request (from byte 14) is an op byte, a word count byte, then words;
 * each program folds the bit indices it sees into one number. */
#include "kfuncs.h"

struct bpf_iter_bits {
	__u64 opaque[2];
} __attribute__((aligned(8)));

extern int bpf_iter_bits_new(struct bpf_iter_bits *it, const __u64 *unsafe_ptr__ign, __u32 nr_words) __ksym;
extern int *bpf_iter_bits_next(struct bpf_iter_bits *it) __ksym;
extern void bpf_iter_bits_destroy(struct bpf_iter_bits *it) __ksym;

char LICENSE[] SEC("license") = "GPL";

#define WORDS 4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64[WORDS]);
	__uint(max_entries, 1);
} masks SEC(".maps");

/* Sum of (index + 1) * 1000^k over the first set bits; bits the iterator yields past 3 only
 * count. */
static int fold(struct bpf_iter_bits *it, int created)
{
	int *bit, sum = 0, seen = 0;

	while ((bit = bpf_iter_bits_next(it))) {
		if (seen < 3)
			sum = sum * 100 + *bit + 1;
		seen++;
	}
	bpf_iter_bits_destroy(it);
	return created * 1000000 + seen * 10000 + (sum & 0x7fff) ;
}

/* One word from the packet (bytes 16..23): its set bits. */
SEC("tc")
int one_word(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;
	__u64 word;
	int created;

	if (bpf_skb_load_bytes(skb, 16, &word, sizeof(word)))
		return -1;
	created = bpf_iter_bits_new(&it, &word, 1);
	return fold(&it, created);
}

/* The words of a map value, as many as the packet's byte 15 says (0, 1..4, or 0xff: 512, past
 * the limit). */
SEC("tc")
int map_words(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;
	__u32 zero = 0, n;
	__u8 count;
	__u64 *words;
	int created;

	if (bpf_skb_load_bytes(skb, 15, &count, 1))
		return -1;
	words = bpf_map_lookup_elem(&masks, &zero);
	if (!words)
		return -2;
	if (bpf_skb_load_bytes(skb, 16, words, sizeof(__u64) * WORDS))
		return -3;
	n = count == 0xff ? 512 : count;
	created = bpf_iter_bits_new(&it, words, n);
	return fold(&it, created < 0 ? -created : created);
}

/* A NULL pointer and a pointer to nothing: the iterator is made empty. */
SEC("tc")
int bad_pointer(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;
	int a, b;

	a = bpf_iter_bits_new(&it, 0, 1);
	a = fold(&it, -a);
	b = bpf_iter_bits_new(&it, (const __u64 *)(unsigned long)skb->len, 1);
	b = fold(&it, -b);
	return a / 1000000 * 100 + b / 1000000;
}

/* Refused: next on an iterator never made. */
SEC("tc")
int next_unmade(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;

	__builtin_memset(&it, 0, sizeof(it));
	return bpf_iter_bits_next(&it) ? 1 : 0;
}

/* Refused: an iterator never destroyed. */
SEC("tc")
int never_destroyed(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;
	__u64 word = skb->len;

	bpf_iter_bits_new(&it, &word, 1);
	return bpf_iter_bits_next(&it) ? 1 : 0;
}

/* Refused: the bit index is read-only. */
SEC("tc")
int write_bit(struct __sk_buff *skb)
{
	struct bpf_iter_bits it;
	__u64 word = skb->len;
	int *bit;

	bpf_iter_bits_new(&it, &word, 1);
	bit = bpf_iter_bits_next(&it);
	if (bit)
		*bit = 3;
	bpf_iter_bits_destroy(&it);
	return 0;
}
