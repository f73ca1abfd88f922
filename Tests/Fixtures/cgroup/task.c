/* A program that asks bpf_current_task_under_cgroup from tc, to see whether the kernel offers
 * that helper to SCHED_CLS programs. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]

static long (*current_task_under_cgroup)(void *map, __u32 index) = (void *)BPF_FUNC_current_task_under_cgroup;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} cgroups SEC(".maps");

SEC("tc")
int task_in_cgroup(struct __sk_buff *skb)
{
	return current_task_under_cgroup(&cgroups, 0);
}

char _license[] SEC("license") = "GPL";
