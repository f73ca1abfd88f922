/* The kernel's test structs in a map value: referenced kptr fields of struct prog_test_ref_kfunc
 * and struct prog_test_member, emptied with bpf_kptr_xchg and released with the two kfuncs
 * net/bpf/test_run.c offers tc. Nothing in vmlinux fills such a field, so the runs find them
 * empty; the verifier's rules are those of every release. */
#include "kfuncs.h"

struct prog_test_member1 {
	int a;
};

struct prog_test_member {
	struct prog_test_member1 m;
	int c;
};

struct prog_test_ref_kfunc {
	int a;
	int b;
	struct prog_test_member memb;
	struct prog_test_ref_kfunc *next;
	int cnt;
} __attribute__((preserve_access_index));

extern void bpf_kfunc_call_test_release(struct prog_test_ref_kfunc *p) __ksym;
extern void bpf_kfunc_call_memb_release(struct prog_test_member *p) __ksym;

#define __kptr __attribute__((btf_type_tag("kptr")))

struct held {
	struct prog_test_ref_kfunc __kptr *ref;
	struct prog_test_member __kptr *member;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct held);
} holder SEC(".maps");

/* Empties both fields, releasing what they held: 2 or 3 when one held something, else 0. */
SEC("tc")
int empty_and_release(struct __sk_buff *skb)
{
	struct prog_test_ref_kfunc *ref;
	struct prog_test_member *member;
	int key = 0;
	struct held *h = bpf_map_lookup_elem(&holder, &key);

	if (!h)
		return 1;
	ref = bpf_kptr_xchg(&h->ref, NULL);
	if (ref) {
		bpf_kfunc_call_test_release(ref);
		return 2;
	}
	member = bpf_kptr_xchg(&h->member, NULL);
	if (member) {
		bpf_kfunc_call_memb_release(member);
		return 3;
	}
	return 0;
}

/* Releases what the field points at without taking it out: it holds no reference. */
SEC("tc")
int release_in_place(struct __sk_buff *skb)
{
	int key = 0;
	struct held *h = bpf_map_lookup_elem(&holder, &key);

	if (!h || !h->ref)
		return 1;
	bpf_kfunc_call_test_release(h->ref);
	return 0;
}

/* Takes the reference out and keeps it: a leak at exit. */
SEC("tc")
int keeps_it(struct __sk_buff *skb)
{
	int key = 0;
	struct held *h = bpf_map_lookup_elem(&holder, &key);

	if (!h)
		return 1;
	return bpf_kptr_xchg(&h->ref, NULL) ? 2 : 0;
}

/* Hands the member's release the other struct. */
SEC("tc")
int releases_the_wrong_struct(struct __sk_buff *skb)
{
	struct prog_test_ref_kfunc *ref;
	int key = 0;
	struct held *h = bpf_map_lookup_elem(&holder, &key);

	if (!h)
		return 1;
	ref = bpf_kptr_xchg(&h->ref, NULL);
	if (ref)
		bpf_kfunc_call_memb_release((struct prog_test_member *)ref);
	return 0;
}

/* Releases without a NULL check. */
SEC("tc")
int releases_maybe_null(struct __sk_buff *skb)
{
	int key = 0;
	struct held *h = bpf_map_lookup_elem(&holder, &key);

	if (!h)
		return 1;
	bpf_kfunc_call_test_release(bpf_kptr_xchg(&h->ref, NULL));
	return 0;
}

char _license[] SEC("license") = "GPL";
