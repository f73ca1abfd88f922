/* arena.c: an ARENA map (type 33, mmapable pages shared with userspace) beside a plain array.
 * Linux 6.18 on the machine this corpus is recorded on refuses to create any arena (EPERM), so
 * every program of this object fails to load — the one that uses the arena and the one that
 * does not, libbpf creating all of an object's maps first. */
#include "maps.h"

#define __arena __attribute__((address_space(1)))

struct {
	__uint(type, 33);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
} pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, __u32 page_cnt,
					   int node_id, __u64 flags) __attribute__((section(".ksyms")));

SEC("tc")
int arena_counter(struct __sk_buff *skb)
{
	__u64 __arena *slot = bpf_arena_alloc_pages(&pages, 0, 1, -1, 0);

	if (!slot)
		return 2;
	*slot += skb->len;
	return (int)*slot;
}

SEC("tc")
int array_counter(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *count = map_lookup_elem(&hits, &zero);

	if (!count)
		return 2;
	*count += 1;
	return 0;
}

LICENSE;
