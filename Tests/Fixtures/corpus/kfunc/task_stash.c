/* A task the program holds a reference to, stashed in a map value's kptr field and taken out
 * again: bpf_kptr_xchg hands references to kernel structs in and out as it does the program's
 * own objects; what comes out must be released, and only the struct the field names goes in. */
#include "kfuncs.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));
struct cgroup {
	int level;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

#define __kptr __attribute__((btf_type_tag("kptr")))

struct stash {
	struct task_struct __kptr *task;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct stash);
} stashes SEC(".maps");

/* Stashes this process's task and takes it out again: 1 when both went as they should. */
SEC("tc")
int stash_and_take(struct __sk_buff *skb)
{
	struct task_struct *task, *old;
	int key = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		return 9;
	task = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	if (!task)
		return 8;
	old = bpf_kptr_xchg(&s->task, task);
	if (old) {
		bpf_task_release(old);
		return 3;
	}
	task = bpf_kptr_xchg(&s->task, NULL);
	if (!task)
		return 4;
	bpf_task_release(task);
	return 1;
}

/* Takes the task out and keeps the reference: a leak at exit. */
SEC("tc")
int takes_and_keeps(struct __sk_buff *skb)
{
	int key = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		return 9;
	return bpf_kptr_xchg(&s->task, NULL) ? 2 : 0;
}

/* Stashes a cgroup where a task goes. */
SEC("tc")
int stashes_a_cgroup(struct __sk_buff *skb)
{
	struct task_struct *old;
	struct cgroup *cgroup;
	int key = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		return 9;
	cgroup = bpf_cgroup_from_id(1);
	if (!cgroup)
		return 8;
	old = bpf_kptr_xchg(&s->task, (struct task_struct *)cgroup);
	if (old)
		bpf_task_release(old);
	return 0;
}

/* Stashes the task before comparing it with NULL: bpf_kptr_xchg must know what it takes in. */
SEC("tc")
int stashes_unchecked(struct __sk_buff *skb)
{
	struct task_struct *task, *old;
	int key = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		return 9;
	task = bpf_task_from_pid(bpf_get_current_pid_tgid() >> 32);
	old = bpf_kptr_xchg(&s->task, task);
	if (old)
		bpf_task_release(old);
	return 0;
}

/* Takes a new reference to the stashed task while it stays in its field: loaded from the field,
 * the task is an RCU pointer (a tc program runs in an RCU read section), which bpf_task_acquire
 * takes; 1 when there was one. */
SEC("tc")
int acquires_stashed(struct __sk_buff *skb)
{
	struct task_struct *task;
	int key = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		return 9;
	task = s->task;
	if (!task)
		return 0;
	task = bpf_task_acquire(task);
	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

/* The same after an explicit RCU read section ended: the pointer is no longer RCU-protected. */
SEC("tc")
int acquires_stashed_after_unlock(struct __sk_buff *skb)
{
	struct task_struct *task;
	int key = 0;
	struct stash *s = bpf_map_lookup_elem(&stashes, &key);

	if (!s)
		return 9;
	bpf_rcu_read_lock();
	task = s->task;
	bpf_rcu_read_unlock();
	if (!task)
		return 0;
	task = bpf_task_acquire(task);
	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

char _license[] SEC("license") = "GPL";
