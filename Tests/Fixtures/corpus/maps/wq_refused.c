/* Workqueue uses Linux 6.18 refuses to a tc program, each alone (the file still loads):
 *   set_callback    bpf_wq_set_callback_impl: its callback is sleepable, a tc program is not (EPERM)
 *   callback_unreached  the same call on a branch the verifier knows is never taken: loads
 *   off_field       a pointer 8 bytes past the value's bpf_wq (EINVAL)
 *   other_map       bpf_wq_init given another map than the one the bpf_wq lives in (EINVAL)
 *   not_a_map       bpf_wq_init given a stack pointer where the map goes (EINVAL)
 *   stack_wq        a bpf_wq on the stack instead of in a map value (EINVAL)
 *   no_wq_field     a map value without a bpf_wq (EINVAL)
 *   legacy_map      a bpf_wq in the value of a map defined without BTF (EINVAL)
 *   fine            init then start on the same value: loads */
#include "maps.h"

#define __ksym __attribute__((section(".ksyms")))

struct bpf_wq {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value),
				    unsigned int flags, void *aux__ign) __ksym;

struct work {
	__u64 head;
	struct bpf_wq wq;
	__u64 tail[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct work);
} works SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct work);
} other_works SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[4]);
} plain SEC(".maps");

/* A legacy definition: no BTF, so the kernel knows no field in its values. */
struct legacy_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};
struct legacy_map_def SEC("maps") legacy_works = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = sizeof(struct work), .max_entries = 1,
};

static int on_work(void *map, int *key, void *value)
{
	return 0;
}

static __attribute__((always_inline)) struct work *first(void *map)
{
	__u32 key = 0;
	return map_lookup_elem(map, &key);
}

SEC("tc")
int set_callback(struct __sk_buff *skb)
{
	struct work *w = first(&works);
	if (!w)
		return 0;
	return bpf_wq_set_callback_impl(&w->wq, on_work, 0, 0);
}

SEC("tc")
int callback_unreached(struct __sk_buff *skb)
{
	struct work *w = first(&works);
	int never = 0;
	if (!w)
		return 0;
	if (never)
		return bpf_wq_set_callback_impl(&w->wq, on_work, 0, 0);
	return bpf_wq_init(&w->wq, &works, 0);
}

SEC("tc")
int off_field(struct __sk_buff *skb)
{
	struct work *w = first(&works);
	if (!w)
		return 0;
	return bpf_wq_start((struct bpf_wq *)&w->tail, 0);
}

SEC("tc")
int other_map(struct __sk_buff *skb)
{
	struct work *w = first(&works);
	if (!w)
		return 0;
	return bpf_wq_init(&w->wq, &other_works, 0);
}

SEC("tc")
int not_a_map(struct __sk_buff *skb)
{
	struct work *w = first(&works);
	__u64 fake = 0;
	if (!w)
		return 0;
	return bpf_wq_init(&w->wq, &fake, 0);
}

SEC("tc")
int stack_wq(struct __sk_buff *skb)
{
	struct bpf_wq wq = {};
	return bpf_wq_start(&wq, 0);
}

SEC("tc")
int no_wq_field(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = map_lookup_elem(&plain, &key);
	if (!v)
		return 0;
	return bpf_wq_start((struct bpf_wq *)v, 0);
}

SEC("tc")
int legacy_map(struct __sk_buff *skb)
{
	struct work *w = first(&legacy_works);
	if (!w)
		return 0;
	return bpf_wq_init(&w->wq, &legacy_works, 0);
}

SEC("tc")
int fine(struct __sk_buff *skb)
{
	struct work *w = first(&works);
	if (!w)
		return 0;
	bpf_wq_init(&w->wq, &works, 0);
	return bpf_wq_start(&w->wq, 0);
}

LICENSE;
