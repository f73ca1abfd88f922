/* A task reference a bpf_loop callback acquires and leaves in its caller's stack goes back to
 * the caller, which must release it: Linux 6.18 checks for leaks at the program's exit, not at
 * the callback's. Run once, the caller's release is enough; run twice, the first run's task is
 * overwritten and leaks. Written for swift-tcx; recorded in callback_tasks.tcx. */
#include "kfuncs.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

static long (*loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;

static long find_self(__u64 index, struct task_struct **found)
{
	*found = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	return 0;
}

static long find_and_drop(__u64 index, void *ctx)
{
	struct task_struct *task = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);

	if (task)
		bpf_task_release(task);
	return 0;
}

static long find_and_keep(__u64 index, void *ctx)
{
	bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	return 0;
}

/* 1 when the callback found this process's task; the caller releases it. */
SEC("tc")
int found_once(struct __sk_buff *skb)
{
	struct task_struct *task = 0;

	loop(1, find_self, &task, 0);
	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

/* The second run overwrites the first run's task: one reference is never released. */
SEC("tc")
int found_twice(struct __sk_buff *skb)
{
	struct task_struct *task = 0;

	loop(2, find_self, &task, 0);
	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

/* Each run releases its own task. */
SEC("tc")
int dropped_each_run(struct __sk_buff *skb)
{
	return loop(4, find_and_drop, 0, 0);
}

/* The callback keeps what it acquired where nothing can release it. */
SEC("tc")
int kept_in_callback(struct __sk_buff *skb)
{
	return loop(1, find_and_keep, 0, 0);
}

char _license[] SEC("license") = "GPL";
