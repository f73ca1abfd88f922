/* A STACK_TRACE map in an object whose tc program cannot fill it (get_stackid and get_stack
 * are for tracing programs; a tc program that names the map is refused). libbpf creates every
 * map of an object, so the map must exist for the object's tc programs to load: profilers and
 * tracers ship one object with kprobes, a stack map and their tc programs. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__type(key, __u32);
	__uint(value_size, 8 * 4);
} stacks SEC(".maps");

SEC("tc")
int pass(struct __sk_buff *skb)
{
	return 0;
}

static long (*get_stackid)(void *ctx, void *map, __u64 flags) = (void *)BPF_FUNC_get_stackid;

SEC("tc")
int use(struct __sk_buff *skb)
{
	return get_stackid(skb, &stacks, 0) >= 0;
}

/* Nor may a tc program read a stack: the kernel refuses map_lookup_elem on this map type for
 * every program ("cannot pass map_type 7"); userspace reads stacks. */
SEC("tc")
int look(struct __sk_buff *skb)
{
	__u32 id = 3;
	__u64 *frames = map_lookup_elem(&stacks, &id);

	return frames ? 1 : 2;
}

LICENSE;
