/* An object as real projects ship them: a tc classifier beside programs of other types
 * (a kprobe, an iterator, a socket filter), a program calling a kfunc the loader cannot
 * resolve, and a global function that reads a kconfig extern. Only the tc programs that
 * reference nothing unresolvable load; the others are refused one by one. */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

extern __u64 bpf_ktime_get_coarse_ns_kfunc(void) __attribute__((section(".ksyms")));
extern __u32 CONFIG_HZ __attribute__((section(".kconfig"), weak));

/* Counts packets per request key; answers with the new count. */
SEC("tc")
int count_packets(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	__u64 one = 1, *seen = map_lookup_elem(&counts, &req.key);
	if (seen) {
		__sync_fetch_and_add(seen, 1);
		answer(skb, 0, *seen);
		return 0;
	}
	answer(skb, map_update_elem(&counts, &req.key, &one, BPF_NOEXIST), 1);
	return 0;
}

SEC("tc")
int uses_kfunc(struct __sk_buff *skb)
{
	return (int)bpf_ktime_get_coarse_ns_kfunc() & 1;
}

__attribute__((noinline)) int hz(void)
{
	return CONFIG_HZ;
}

SEC("tcx/ingress")
int calls_kconfig_reader(struct __sk_buff *skb)
{
	return hz() > 0 ? 0 : 2;
}

SEC("tcx/egress")
int drops_key_seven(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 0;
	return req.key == 7 ? 2 : 0;
}

SEC("kprobe/do_unlinkat")
int on_unlink(void *ctx)
{
	__u32 key = 0;
	__u64 one = 1;
	map_update_elem(&counts, &key, &one, BPF_ANY);
	return 0;
}

SEC("iter/bpf_map")
int list_maps(void *ctx)
{
	return 0;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	return skb->len;
}

LICENSE;
