/* The tests' redirecting program: bpf_redirect to the ifindex and flags in `target` (key 0:
 * ifindex, key 1: flags, so BPF_F_INGRESS picks the device's ingress), and the verdict it
 * returns. A test fills the map before sending a frame. */
typedef unsigned int u32;
typedef unsigned long long u64;
#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

struct __sk_buff { u32 len; };

static void *(*const map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const redirect)(u32 ifindex, u64 flags) = (void *)23;

struct {
	__uint(type, 2 /* array */);
	__type(key, u32);
	__type(value, u32);
	__uint(max_entries, 2);
} target SEC(".maps");

SEC("tcx/ingress") int redirect_to_target(struct __sk_buff *skb)
{
	u32 key = 0, *ifindex = map_lookup_elem(&target, &key);
	key = 1;
	u32 *flags = map_lookup_elem(&target, &key);
	if (!ifindex || !flags)
		return 2;
	return redirect(*ifindex, *flags);
}

char _license[] SEC("license") = "GPL";
