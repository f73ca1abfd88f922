/* Facts about the caller of a test-run that hold on any machine, so both backends can be
 * compared: each is written into the packet as one byte (1 true, 0 false) @14.. */
#include "skb_helpers.h"

static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)16;
static __u64 (*bpf_get_cgroup_classid)(struct __sk_buff *skb) = (void *)17;
static __u64 (*bpf_get_socket_cookie)(struct __sk_buff *skb) = (void *)46;
static __u64 (*bpf_skb_cgroup_id)(struct __sk_buff *skb) = (void *)79;
static __u64 (*bpf_get_current_cgroup_id)(void) = (void *)80;
static __u64 (*bpf_skb_ancestor_cgroup_id)(struct __sk_buff *skb, int level) = (void *)83;
static __u64 (*bpf_jiffies64)(void) = (void *)118;
static __u64 (*bpf_get_current_ancestor_cgroup_id)(int level) = (void *)123;
static __u64 (*bpf_get_netns_cookie)(void *ctx) = (void *)122;
static __u64 (*bpf_ktime_get_coarse_ns)(void) = (void *)160;
static __u64 (*bpf_ktime_get_tai_ns)(void) = (void *)208;
static __u64 (*bpf_ktime_get_boot_ns)(void) = (void *)125;

/* INITIAL_JIFFIES at HZ=250: jiffies start 300 seconds before a 32-bit wrap. */
#define INITIAL_JIFFIES 4294892296ULL

struct {
	__uint(type, MAP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_cookie SEC(".maps");

SEC("tc")
int caller_facts(struct __sk_buff *skb)
{
	__u8 out[16];
	__u32 zero = 0;
	__u64 *last;
	char comm[16] = {};
	__u64 cookie = bpf_get_socket_cookie(skb);

	out[0] = cookie != 0;
	out[1] = cookie == bpf_get_socket_cookie(skb);
	out[2] = bpf_skb_cgroup_id(skb) == bpf_get_current_cgroup_id();
	out[3] = bpf_skb_ancestor_cgroup_id(skb, 0) == bpf_get_current_ancestor_cgroup_id(0);
	out[4] = bpf_get_current_ancestor_cgroup_id(0) == 1;
	out[5] = bpf_skb_ancestor_cgroup_id(skb, 10000) == 0;
	out[6] = (bpf_get_current_pid_tgid() >> 32) != 0;
	out[7] = bpf_ktime_get_tai_ns() > bpf_ktime_get_ns();
	out[8] = bpf_ktime_get_coarse_ns() != 0;
	out[9] = bpf_jiffies64() != 0;
	out[10] = bpf_get_netns_cookie(skb) != 0;
	out[11] = bpf_get_current_comm(comm, sizeof(comm)) == 0 && comm[0] != 0 && comm[15] == 0;
	out[12] = bpf_get_cgroup_classid(skb) == 0;
	out[13] = bpf_get_current_cgroup_id() != 0;
	/* jiffies64 follows boot time at 250 ticks a second (within a second: the kernel starts
	 * counting ticks a little after its clocks). */
	__s64 ticks = bpf_jiffies64() - INITIAL_JIFFIES - bpf_ktime_get_boot_ns() / 4000000;
	out[15] = ticks >= -250 && ticks <= 250;
	/* The socket keeps its cookie: repeated runs on one skb see the same, a new test-run not. */
	last = bpf_map_lookup_elem(&last_cookie, &zero);
	if (!last)
		return 2;
	out[14] = *last == cookie;
	*last = cookie;
	bpf_skb_store_bytes(skb, 14, out, sizeof(out), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
