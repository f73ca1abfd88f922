/* The probe-read kfuncs into a dynptr from a socket filter (SEC("socket")): Linux 6.18 offers
 * them to every program type, socket filters too. Each program reads into a local dynptr over
 * a map value's 16 bytes (bpf_dynptr_from_mem takes no stack memory) and returns the kfunc's
 * answer with what it read folded in: 8 bytes of the stack (kernel memory to the kfunc), an
 * empty read from NULL (0), a string. */
#include "kfuncs.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[16]);
} landing SEC(".maps");

/* The map value the dynptr covers, zeroed; NULL only if the map had no slot 0. */
static __u8 *fresh(void)
{
	__u32 zero = 0;
	__u8 *buf = bpf_map_lookup_elem(&landing, &zero);

	if (buf)
		__builtin_memset(buf, 0, 16);
	return buf;
}

extern int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_user_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
				      const void *unsafe_ptr__ign) __ksym;
extern int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *dptr, __u32 off, __u32 size,
					    const void *unsafe_ptr__ign) __ksym;

SEC("socket")
int socket_kernel_read(struct __sk_buff *skb)
{
	__u8 *buf = fresh();
	__u64 source = 0x0102030405060708ULL;
	struct bpf_dynptr d;

	if (!buf || bpf_dynptr_from_mem(buf, 16, 0, &d))
		return -1;
	int got = bpf_probe_read_kernel_dynptr(&d, 4, 8, &source);
	return got * 1000 + buf[4] + buf[11];
}

SEC("socket")
int socket_user_empty(struct __sk_buff *skb)
{
	__u8 *buf = fresh();
	struct bpf_dynptr d;

	if (!buf || bpf_dynptr_from_mem(buf, 16, 0, &d))
		return -1;
	return bpf_probe_read_user_dynptr(&d, 0, 0, 0) + 7;
}

SEC("socket")
int socket_kernel_string(struct __sk_buff *skb)
{
	__u8 *buf = fresh();
	char text[8] = "tcx";
	struct bpf_dynptr d;

	if (!buf || bpf_dynptr_from_mem(buf, 16, 0, &d))
		return -1;
	int got = bpf_probe_read_kernel_str_dynptr(&d, 2, 10, text);
	return got * 1000 + buf[2];
}

char LICENSE[] SEC("license") = "GPL";
