/* XDP programs that devmap and cpumap slots run (SEC("xdp/devmap"), SEC("xdp/cpumap")), beside
 * a tc program and an XDP program that use the device map. Which program a slot may take, and
 * which program may use a map once a slot holds one, is the kernel's map owner rule: the tests
 * (DeviceMapProgramTests) load them in both orders. Uses the map corpus's header. */
#include "maps.h"

static long (*redirect_map)(void *map, __u64 key, __u64 flags) = (void *)BPF_FUNC_redirect_map;

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devices SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} devices_by_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

SEC("xdp/devmap")
int on_device(struct xdp_md *ctx)
{
	return ctx->egress_ifindex ? XDP_PASS : XDP_DROP;
}

SEC("xdp/cpumap")
int on_cpu(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int plain(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* The id of the program in device slot 0 (0: none), -1 for an empty slot. */
SEC("tc")
int read_slot(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_devmap_val *slot = map_lookup_elem(&devices, &key);
	return slot ? (int)slot->bpf_prog.id : -1;
}

SEC("xdp")
int to_device(struct xdp_md *ctx)
{
	return redirect_map(&devices, 0, XDP_PASS);
}

LICENSE;
