/* The task and cgroup kfuncs Linux 6.18 gives tc programs: bpf_task_from_pid and
 * bpf_cgroup_from_id find a task or cgroup and hold a reference to it (NULL when none has that
 * pid or id), bpf_task_acquire/bpf_cgroup_acquire take another, and each reference must be
 * released. A request frame (ethertype 0x88b5) carries the pid or id after the Ethernet header;
 * the program answers 1 when it found one, 0 when not; others look up the running task and its
 * cgroup. The refused programs break one rule each. */
#include "kfuncs.h"

struct task_struct {
	int pid;
	struct task_struct *parent;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));
struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

struct request {
	struct ethhdr eth;
	__u64 id;
} __attribute__((packed));

static __always_inline struct request *request_of(struct __sk_buff *skb)
{
	struct request *request = (void *)(long)skb->data;

	if ((void *)(request + 1) > (void *)(long)skb->data_end)
		return 0;
	return request;
}

/* A task by pid, a second reference to it, both released. */
SEC("tc") int task_by_pid(struct __sk_buff *skb)
{
	struct request *request = request_of(skb);
	struct task_struct *task, *again;

	if (!request)
		return -1;
	task = bpf_task_from_pid((__s32)request->id);
	if (!task)
		return 0;
	again = bpf_task_acquire(task);
	if (again)
		bpf_task_release(again);
	bpf_task_release(task);
	return 1;
}

/* A cgroup by id, a second reference to it, both released. */
SEC("tc") int cgroup_by_id(struct __sk_buff *skb)
{
	struct request *request = request_of(skb);
	struct cgroup *cgroup, *again;

	if (!request)
		return -1;
	cgroup = bpf_cgroup_from_id(request->id);
	if (!cgroup)
		return 0;
	again = bpf_cgroup_acquire(cgroup);
	if (!again) {
		bpf_cgroup_release(cgroup);
		return 2;
	}
	bpf_cgroup_release(again);
	bpf_cgroup_release(cgroup);
	return 1;
}

/* The task running the program, found by its pid (a test-run runs in the caller's task). */
SEC("tc") int own_task(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid((__s32)(bpf_get_current_pid_tgid() >> 32));

	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

/* The cgroup of the task running the program, found by its id. */
SEC("tc") int own_cgroup(struct __sk_buff *skb)
{
	struct cgroup *cgroup = bpf_cgroup_from_id(bpf_get_current_cgroup_id());

	if (!cgroup)
		return 0;
	bpf_cgroup_release(cgroup);
	return 1;
}

/* A reference to the running task, which the program trusts without holding one. */
SEC("tc") int current_task_acquired(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_acquire(bpf_get_current_task_btf());

	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

/* Refused: the running task is trusted but holds no reference to release. */
SEC("tc") int current_task_released(struct __sk_buff *skb)
{
	bpf_task_release(bpf_get_current_task_btf());
	return 0;
}

/* Refused: a task acquired from a pointer that may be NULL. */
SEC("tc") int task_acquire_unchecked(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid(1), *again;

	again = bpf_task_acquire(task);
	if (again)
		bpf_task_release(again);
	if (task)
		bpf_task_release(task);
	return 0;
}

/* The running task's parent through the field the kernel keeps RCU-protected (real_parent). */
SEC("tc") int real_parent_acquired(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent = bpf_task_acquire(task->real_parent);

	if (!parent)
		return 0;
	bpf_task_release(parent);
	return 1;
}

/* Refused: `parent` is a plain pointer field, not an RCU one, so no reference can be taken. */
SEC("tc") int parent_acquired(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *parent = bpf_task_acquire(task->parent);

	if (!parent)
		return 0;
	bpf_task_release(parent);
	return 1;
}

/* Refused: the task's reference is never released. */
SEC("tc") int task_leaked(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid(1);

	return task ? 1 : 0;
}

/* Refused: the cgroup may be NULL when released. */
SEC("tc") int cgroup_release_unchecked(struct __sk_buff *skb)
{
	struct cgroup *cgroup = bpf_cgroup_from_id(1);

	bpf_cgroup_release(cgroup);
	return 0;
}

/* Refused: a task released twice. */
SEC("tc") int task_released_twice(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid(1);

	if (!task)
		return 0;
	bpf_task_release(task);
	bpf_task_release(task);
	return 1;
}

/* Refused: a task given where a cgroup is taken. */
SEC("tc") int task_as_cgroup(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid(1);

	if (!task)
		return 0;
	bpf_cgroup_release((struct cgroup *)task);
	return 1;
}

char _license[] SEC("license") = "GPL";
