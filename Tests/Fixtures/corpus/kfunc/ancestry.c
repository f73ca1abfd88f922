/* bpf_task_from_vpid and bpf_cgroup_ancestor in tc programs: a task by its pid in the caller's
 * namespace, and the ancestor of a cgroup at a level (the root at 0, NULL past the cgroup's own
 * level). Each reference found is released; the refused programs break one rule each. */
#include "kfuncs.h"

struct css_set;
struct cgroup {
	int level;
} __attribute__((preserve_access_index));
struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));
struct task_struct {
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_vpid(__s32 vpid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* This process by its pid: 1 when found. */
SEC("tc")
int vpid_of_self(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_vpid(bpf_get_current_pid_tgid() >> 32);

	if (!task)
		return 0;
	bpf_task_release(task);
	return 1;
}

/* The root's ancestors: itself at level 0 (1), none at level 1 (2 when there were one). */
SEC("tc")
int root_ancestors(struct __sk_buff *skb)
{
	struct cgroup *root = bpf_cgroup_from_id(1), *up;
	int found = 0;

	if (!root)
		return 9;
	up = bpf_cgroup_ancestor(root, 0);
	if (up) {
		found |= 1;
		bpf_cgroup_release(up);
	}
	up = bpf_cgroup_ancestor(root, 1);
	if (up) {
		found |= 2;
		bpf_cgroup_release(up);
	}
	bpf_cgroup_release(root);
	return found;
}

/* The running task's cgroup's ancestors: the root (1), none at level 100 (2 when there were). */
SEC("tc")
int own_ancestors(struct __sk_buff *skb)
{
	struct cgroup *own = current_task()->cgroups->dfl_cgrp, *up;
	int found = 0;

	up = bpf_cgroup_ancestor(own, 0);
	if (up) {
		found |= 1;
		bpf_cgroup_release(up);
	}
	up = bpf_cgroup_ancestor(own, 100);
	if (up) {
		found |= 2;
		bpf_cgroup_release(up);
	}
	return found;
}

/* The ancestor kept: a leak at exit. */
SEC("tc")
int ancestor_kept(struct __sk_buff *skb)
{
	struct cgroup *root = bpf_cgroup_from_id(1);

	if (!root)
		return 9;
	bpf_cgroup_ancestor(root, 0);
	bpf_cgroup_release(root);
	return 0;
}

/* A cgroup that may be NULL. */
SEC("tc")
int ancestor_of_maybe_null(struct __sk_buff *skb)
{
	struct cgroup *root = bpf_cgroup_from_id(1), *up;

	up = bpf_cgroup_ancestor(root, 0);
	if (up)
		bpf_cgroup_release(up);
	if (root)
		bpf_cgroup_release(root);
	return 0;
}

char _license[] SEC("license") = "GPL";
