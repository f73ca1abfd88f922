/* The maps an XDP or socket object holds beside its tc programs: devices, CPUs and sockets.
 * Every map of the object is created when it loads, so the tc program loads only if each type
 * is known. The tc program looks the device and socket maps up as tc may (a socket found is a
 * reference it must release) and deletes from the socket maps; the XDP program redirects
 * through the device, CPU and AF_XDP maps, and is refused once the tc program owns the devmap. The request is the corpus's usual one (maps.h): op
 * and key; the answer at byte 38 is the result and a value. */
#include "maps.h"

static long (*redirect_map)(void *map, __u64 key, __u64 flags) = (void *)BPF_FUNC_redirect_map;
static long (*sk_release)(void *sk) = (void *)BPF_FUNC_sk_release;

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
	__type(value, __u32);
} devices_by_key SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xdp_sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} sockets_by_key SEC(".maps");

enum { DEVICE, DEVICE_BY_KEY, SOCKET, SOCKET_BY_KEY, DELETE_SOCKET, DELETE_SOCKET_BY_KEY };

SEC("tc")
int redirect_maps_op(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	__u32 key = req.key;
	switch (req.op) {
	case DEVICE: {
		struct bpf_devmap_val *slot = map_lookup_elem(&devices, &key);
		if (!slot)
			answer(skb, -1, 0);
		else
			answer(skb, 0, ((__u64)slot->bpf_prog.id << 32) | slot->ifindex);
		break;
	}
	case DEVICE_BY_KEY: {
		__u32 *ifindex = map_lookup_elem(&devices_by_key, &key);
		answer(skb, ifindex ? 0 : -1, ifindex ? *ifindex : 0);
		break;
	}
	case SOCKET:
	case SOCKET_BY_KEY: {
		void *sk = map_lookup_elem(req.op == SOCKET ? (void *)&sockets : (void *)&sockets_by_key, &key);
		if (sk)
			sk_release(sk);
		answer(skb, sk ? 0 : -1, 0);
		break;
	}
	case DELETE_SOCKET:
		answer(skb, map_delete_elem(&sockets, &key), 0);
		break;
	case DELETE_SOCKET_BY_KEY:
		answer(skb, map_delete_elem(&sockets_by_key, &key), 0);
		break;
	}
	return 0;
}

/* Frames go to the device in slot 0, else to CPU 0, else to the AF_XDP socket of queue 0. */
SEC("xdp")
int redirect_frames(struct xdp_md *ctx)
{
	long verdict = redirect_map(&devices, 0, XDP_PASS);
	if (verdict == XDP_PASS)
		verdict = redirect_map(&cpus, 0, XDP_PASS);
	if (verdict == XDP_PASS)
		verdict = redirect_map(&xdp_sockets, 0, XDP_PASS);
	return verdict;
}

LICENSE;
