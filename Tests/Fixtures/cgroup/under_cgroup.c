/* under_cgroup.c — a tc program of swift-tcx's CGROUP_ARRAY tests, in the style libbpf users
 * write. After 14 bytes of Ethernet the request packet holds a u32 slot index; the program asks
 * bpf_skb_under_cgroup about that slot and writes the result (s64) at byte 18. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static long (*skb_under_cgroup)(void *skb, void *map, __u32 index) = (void *)BPF_FUNC_skb_under_cgroup;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} cgroups SEC(".maps");

SEC("tc")
int skb_in_cgroup(struct __sk_buff *skb)
{
	__u32 index;

	if (skb_load_bytes(skb, 14, &index, sizeof(index)))
		return 2;
	__s64 result = skb_under_cgroup(skb, &cgroups, index);
	skb_store_bytes(skb, 18, &result, sizeof(result), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
