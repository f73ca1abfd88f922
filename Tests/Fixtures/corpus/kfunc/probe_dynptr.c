/* The probe-read kfuncs into a dynptr (bpf_probe_read_{kernel,user}{,_str}_dynptr): the
 * request names the kfunc, the target (the packet's dynptr, a NULL one, a map value's local
 * one), the dynptr offset and size, and where the bytes come from. The answer is the kfunc's
 * return; what it wrote is in the output packet (a local dynptr's bytes are copied to @24).
 *
 * Request: u8 @14 the kfunc (0 kernel, 1 kernel_str, 2 user, 3 user_str) | 4 a NULL dynptr |
 * 8 the local dynptr; u32 @15 the offset, u32 @19 the size (little-endian), u8 @23 the source:
 * 0 a string on the stack, 1 NULL, 2 0x1000, 3 a non-canonical address, 4 the last kernel
 * page, 5 the packet's first bytes, 6 the stack string from its 5th byte. Written by hand, not
 * by gen.py. */
#include "kfuncs.h"

extern int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					    const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
				      const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_user_str_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					  const void *unsafe_ptr__ign) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u8[32]);
} scratch SEC(".maps");

struct request {
	__u8 op;
	__u32 off;
	__u32 size;
	__u8 source;
} __attribute__((packed));

static int probe(__u8 which, struct bpf_dynptr *target, __u32 off, __u32 size, const void *src)
{
	switch (which & 3) {
	case 0:
		return bpf_probe_read_kernel_dynptr(target, off, size, src);
	case 1:
		return bpf_probe_read_kernel_str_dynptr(target, off, size, src);
	case 2:
		return bpf_probe_read_user_dynptr(target, off, size, src);
	default:
		return bpf_probe_read_user_str_dynptr(target, off, size, src);
	}
}

SEC("tc")
int probe_read(struct __sk_buff *skb)
{
	char text[48] = "tcx probe";
	struct bpf_dynptr pkt, target;
	struct request req;
	const void *src;
	__u32 zero = 0;
	int ret;

	for (int i = 10; i < sizeof(text); i++)
		text[i] = 'A' + i;
	if (bpf_skb_load_bytes(skb, 14, &req, sizeof(req)) || bpf_dynptr_from_skb(skb, 0, &pkt))
		return -1000;
	switch (req.source) {
	case 0: src = text; break;
	case 1: src = 0; break;
	case 2: src = (void *)0x1000; break;
	case 3: src = (void *)0x8000000000000000ULL; break;
	case 4: src = (void *)0xfffffffffffff000ULL; break;
	case 5: src = (void *)(long)skb->data; break;
	case 6: src = text + 4; break;
	default: return -1001;
	}
	__u8 *value = bpf_map_lookup_elem(&scratch, &zero);
	if (!value)
		return -1002;
	__builtin_memset(value, '.', 32);
	if (req.op & 8) {
		if (bpf_dynptr_from_mem(value, 32, 0, &target))
			return -1003;
	} else if (req.op & 4) {
		bpf_dynptr_from_skb(skb, 1, &target);
	} else if (bpf_dynptr_from_skb(skb, 0, &target)) {
		return -1004;
	}
	ret = probe(req.op, &target, req.off, req.size, src);
	if ((req.op & 8) && bpf_dynptr_write(&pkt, 24, value, 32, 0))
		return -1005;
	return ret;
}

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
} __attribute__((preserve_access_index));
struct task_struct {
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* The process's own arguments (user memory: a test-run runs in the calling task) read as a
 * string and as bytes, answered as bits, never as the text (it differs from run to run):
 * 1 the string read, 2 it ends at its NUL, 4 it is not empty, 8 the bytes read agree (but the
 * NUL of a cut string), 16 the
 * kernel variant refuses a user address with ERANGE, 32 the string fits in the arguments. */
SEC("tc")
int user_arguments(struct __sk_buff *skb)
{
	struct mm_struct *mm = current_task()->mm;
	const char *args = (const char *)mm->arg_start;
	struct bpf_dynptr str, raw;
	__u32 zero = 0, one = 1;
	int bits = 0;

	__u8 *a = bpf_map_lookup_elem(&scratch, &zero);
	if (!a || bpf_dynptr_from_mem(a, 32, 0, &str))
		return -1000;
	__builtin_memset(a, 0xff, 32);
	int n = bpf_probe_read_user_str_dynptr(&str, 0, 32, args);
	if (n <= 0 || n > 32)
		return n;
	bits |= 1;
	if (a[(n - 1) & 31] == 0)
		bits |= 2;
	if (n > 1 && a[0] != 0)
		bits |= 4;
	__u8 *copy = bpf_map_lookup_elem(&scratch, &one);
	if (!copy || bpf_dynptr_from_mem(copy, 32, 0, &raw))
		return -1001;
	__builtin_memset(copy, 0xee, 32);
	if (bpf_probe_read_user_dynptr(&raw, 0, n, args) == 0) {
		bits |= 8;
		for (int i = 0; i < 32; i++)
			if (i < n - 1 && copy[i] != a[i])
				bits &= ~8;
	}
	if (bpf_probe_read_kernel_dynptr(&raw, 0, 1, args) == -34)
		bits |= 16;
	if (mm->arg_start + n <= mm->arg_end)
		bits |= 32;
	return bits;
}

/* Refused: the dynptr was never made. */
SEC("tc")
int uninitialised_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	char text[8] = "abc";

	return bpf_probe_read_kernel_dynptr(&ptr, 0, 4, text);
}

/* Refused: a plain stack buffer is not a dynptr. */
SEC("tc")
int not_a_dynptr(struct __sk_buff *skb)
{
	__u64 words[2] = {};
	char text[8] = "abc";

	return bpf_probe_read_user_str_dynptr((struct bpf_dynptr *)words, 0, 4, text);
}

/* Loads: the source is ignored by the verifier, even the context itself. */
SEC("tc")
int context_source(struct __sk_buff *skb)
{
	struct bpf_dynptr pkt;

	if (bpf_dynptr_from_skb(skb, 0, &pkt))
		return -1000;
	return bpf_probe_read_user_dynptr(&pkt, 0, 4, skb);
}

char LICENSE[] SEC("license") = "GPL";
