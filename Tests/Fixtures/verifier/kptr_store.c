/* A map value's untrusted kptr field of a kernel struct: what a load of it reads through,
 * what a store may put there, and that a global function may not be handed its bytes.
 * Written for swift-tcx; the kernel's verdicts are recorded in kptr_store.tcx. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define KPTR_UNTRUSTED __attribute__((btf_type_tag("kptr_untrusted")))
#define KPTR __attribute__((btf_type_tag("kptr")))

/* The kernel's struct of that name (16 bytes): the field names it, the kernel's BTF types it. */
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};

/* A kernel struct the kernel lets programs own (it has a destructor): a referenced field. */
struct prog_test_ref_kfunc {
	int a;
	int b;
};

struct holder {
	long pad;
	struct callback_head KPTR_UNTRUSTED *head;
	struct prog_test_ref_kfunc KPTR *owned;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, struct holder);
	__uint(max_entries, 1);
} holders SEC(".maps");

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)1;
static void *(*kptr_xchg)(void *field, void *object) = (void *)194;

static struct holder *holder(void)
{
	int key = 0;
	return map_lookup_elem(&holders, &key);
}

/* A member inside the struct: read. */
SEC("tc") int read_inside(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	struct callback_head *head;
	if (!h)
		return 0;
	head = h->head;
	if (!head)
		return 0;
	return head->next ? 1 : 2;
}

/* Four bytes right past the struct's end: refused. */
SEC("tc") int read_past_end(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	struct callback_head *head;
	if (!h)
		return 0;
	head = h->head;
	if (!head)
		return 0;
	return *(int *)((void *)head + sizeof(struct callback_head));
}

/* The pointer it loaded goes back unchanged. */
SEC("tc") int store_back(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	struct callback_head *head;
	if (!h)
		return 0;
	head = h->head;
	if (!head)
		return 0;
	h->head = head;
	return 1;
}

/* Moved 8 bytes in, it points at a member that is no callback_head: refused. */
SEC("tc") int store_moved(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	struct callback_head *head;
	if (!h)
		return 0;
	head = h->head;
	if (!head)
		return 0;
	h->head = (void *)head + 8;
	return 1;
}

/* Moved by a number the program reads: a variable offset, refused. */
SEC("tc") int store_variable(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	struct callback_head *head;
	__u32 step = ctx->len & 3;
	if (!h)
		return 0;
	head = h->head;
	if (!head)
		return 0;
	h->head = head + step;
	return 1;
}

/* NULL clears the field. */
SEC("tc") int store_null(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	if (!h)
		return 0;
	h->head = 0;
	return 1;
}

/* A number that is not NULL: refused. */
SEC("tc") int store_number(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	if (!h)
		return 0;
	h->head = (void *)(long)ctx->len;
	return 1;
}

__attribute__((noinline)) int set_word(int *word)
{
	if (!word)
		return 0;
	*word = 7;
	return 1;
}

/* Bytes 6-9 of the value, the field's first two among them, to a global function: refused. */
SEC("tc") int field_to_global(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	if (!h)
		return 0;
	return set_word((void *)h + 6);
}

/* Bytes 0-3, before the field: taken. */
SEC("tc") int pad_to_global(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	if (!h)
		return 0;
	return set_word((void *)h);
}

/* The referenced field exchanged through a pointer moved by a number the program reads. */
SEC("tc") int exchange_variable_field(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	__u32 step = ctx->len & 8;
	if (!h)
		return 0;
	return kptr_xchg((void *)&h->owned + step, 0) != 0;
}

/* An untrusted pointer loaded from a field, given to the referenced one: nothing to release. */
SEC("tc") int exchange_unreferenced(struct __sk_buff *ctx)
{
	struct holder *h = holder();
	struct prog_test_ref_kfunc *loaded;
	if (!h)
		return 0;
	loaded = h->owned;
	if (!loaded)
		return 0;
	return kptr_xchg(&h->owned, loaded) != 0;
}

char _license[] SEC("license") = "GPL";
