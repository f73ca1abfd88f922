/* Which helpers take which maps: the verifier checks a map against the helper it is passed to
 * both ways (a cpumap serves only bpf_redirect_map, bpf_redirect_map serves only device, CPU
 * and AF_XDP maps), and types what a lookup gives (a devmap slot programs only read, a socket a
 * sockmap lookup holds a reference to). Written for swift-tcx; the kernel's verdicts are
 * recorded in map_helpers.tcx. The XDP programs use maps of their own: a devmap or cpumap serves
 * programs of one type, the first to load with it. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)BPF_FUNC_map_update_elem;
static long (*map_delete_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_delete_elem;
static long (*tail_call)(void *ctx, void *map, __u32 index) = (void *)BPF_FUNC_tail_call;
static long (*perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) = (void *)BPF_FUNC_perf_event_output;
static long (*redirect_map)(void *map, __u64 key, __u64 flags) = (void *)BPF_FUNC_redirect_map;
static long (*sk_release)(void *sk) = (void *)BPF_FUNC_sk_release;
static void *(*sk_fullsock)(void *sk) = (void *)BPF_FUNC_sk_fullsock;
static void *(*sk_storage_get)(void *map, void *sk, void *value, __u64 flags) = (void *)BPF_FUNC_sk_storage_get;

#define MAP(kind, entries, key_type, value_type, name) \
	struct { \
		int (*type)[kind]; \
		int (*max_entries)[entries]; \
		key_type *key; \
		value_type *value; \
	} name SEC(".maps")

struct {
	int (*type)[BPF_MAP_TYPE_SK_STORAGE];
	int (*map_flags)[BPF_F_NO_PREALLOC];
	int *key;
	__u64 *value;
} socket_storage SEC(".maps");

MAP(BPF_MAP_TYPE_DEVMAP, 4, __u32, struct bpf_devmap_val, devices);
MAP(BPF_MAP_TYPE_CPUMAP, 2, __u32, struct bpf_cpumap_val, cpus);
MAP(BPF_MAP_TYPE_XSKMAP, 4, __u32, __u32, xdp_sockets);
MAP(BPF_MAP_TYPE_SOCKMAP, 4, __u32, __u64, sockets);
MAP(BPF_MAP_TYPE_SOCKHASH, 4, __u32, __u64, sockets_by_key);
MAP(BPF_MAP_TYPE_REUSEPORT_SOCKARRAY, 4, __u32, __u64, reuseport_group);
MAP(BPF_MAP_TYPE_HASH, 4, __u32, __u32, counters);
MAP(BPF_MAP_TYPE_DEVMAP, 4, __u32, __u32, xdp_devices);
MAP(BPF_MAP_TYPE_CPUMAP, 2, __u32, __u32, xdp_cpus);

/* A tc program reads the ifindex of a devmap slot: -1 when the slot is empty. */
SEC("tc") int devmap_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_devmap_val *slot = map_lookup_elem(&devices, &key);
	return slot ? (int)slot->ifindex : -1;
}

/* The kernel makes a devmap read-only to programs. */
SEC("tc") int devmap_write(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_devmap_val *slot = map_lookup_elem(&devices, &key);
	if (slot)
		slot->ifindex = 1;
	return 0;
}

/* Programs never write a devmap through the map helpers either. */
SEC("tc") int devmap_update(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_devmap_val slot = { .ifindex = 1 };
	return map_update_elem(&devices, &key, &slot, 0);
}

/* A cpumap serves bpf_redirect_map only. */
SEC("tc") int cpumap_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	return map_lookup_elem(&cpus, &key) ? 1 : 0;
}

/* nor written by programs (a cpumap is not read-only to them: the map/helper rule refuses it). */
SEC("tc") int cpumap_update(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_cpumap_val queue = { .qsize = 64 };
	return map_update_elem(&cpus, &key, &queue, 0);
}

/* An xskmap may be looked up (tc sees NULL when the queue has no socket), not written. */
SEC("tc") int xskmap_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	return map_lookup_elem(&xdp_sockets, &key) ? 1 : -1;
}

SEC("tc") int xskmap_delete(struct __sk_buff *skb)
{
	__u32 key = 0;
	return map_delete_elem(&xdp_sockets, &key);
}

/* A socket found in a sockmap is a reference: released, the program loads... */
SEC("tc") int sockmap_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	void *sk = map_lookup_elem(&sockets, &key);
	if (!sk)
		return -1;
	sk_release(sk);
	return 1;
}

/* ...kept, it does not. */
SEC("tc") int sockmap_leak(struct __sk_buff *skb)
{
	__u32 key = 0;
	return map_lookup_elem(&sockets, &key) ? 1 : -1;
}

/* tc may delete from a socket map (an empty one: the errno). */
SEC("tc") int sockhash_delete(struct __sk_buff *skb)
{
	__u32 key = 5;
	return map_delete_elem(&sockets_by_key, &key);
}

/* What goes into a socket map is a socket, not bytes from the stack. */
SEC("tc") int sockmap_update_bytes(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 value = 0;
	return map_update_elem(&sockets, &key, &value, 0);
}

/* A reuseport array serves bpf_sk_select_reuseport only. */
SEC("tc") int reuseport_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	return map_lookup_elem(&reuseport_group, &key) ? 1 : 0;
}

/* bpf_tail_call takes a prog array only. */
SEC("tc") int tail_call_devmap(struct __sk_buff *skb)
{
	tail_call(skb, &devices, 0);
	return 0;
}

/* bpf_perf_event_output takes a perf event array only. */
SEC("tc") int perf_output_hash(struct __sk_buff *skb)
{
	__u64 sample = 1;
	return perf_event_output(skb, &counters, 0, &sample, sizeof(sample));
}

/* A socket's storage starts from NULL (zeroes) or from a whole value: not from a number. */
SEC("tc") int storage_from_number(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	sk = sk_fullsock(sk);
	if (!sk)
		return 0;
	return sk_storage_get(&socket_storage, sk, (void *)1, BPF_SK_STORAGE_GET_F_CREATE) ? 1 : 0;
}

SEC("tc") int storage_from_value(struct __sk_buff *skb)
{
	__u64 initial = 7;
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	sk = sk_fullsock(sk);
	if (!sk)
		return 0;
	return sk_storage_get(&socket_storage, sk, &initial, BPF_SK_STORAGE_GET_F_CREATE) ? 1 : 0;
}

/* XDP redirects through device, CPU and AF_XDP maps... */
SEC("xdp") int redirect_device(struct xdp_md *ctx)
{
	return redirect_map(&xdp_devices, 0, XDP_PASS);
}

SEC("xdp") int redirect_cpu(struct xdp_md *ctx)
{
	return redirect_map(&xdp_cpus, 0, XDP_PASS);
}

SEC("xdp") int redirect_socket(struct xdp_md *ctx)
{
	return redirect_map(&xdp_sockets, ctx->rx_queue_index, XDP_PASS);
}

/* ...and no other. */
SEC("xdp") int redirect_hash(struct xdp_md *ctx)
{
	return redirect_map(&counters, 0, XDP_PASS);
}

SEC("xdp") int redirect_sockmap(struct xdp_md *ctx)
{
	return redirect_map(&sockets, 0, XDP_PASS);
}

/* A socket filter may read a devmap as tc does, but not this one: the tc programs, loaded
 * first, own it. */
SEC("socket") int socket_devmap_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct bpf_devmap_val *slot = map_lookup_elem(&devices, &key);
	return slot ? (int)slot->ifindex : 0;
}

char _license[] SEC("license") = "GPL";
