/* The task kfuncs about a task's memory and cgroups in tc programs: bpf_iter_task_vma_{new,
 * next,destroy} walk the areas of a task's memory map in address order from an address;
 * bpf_task_under_cgroup asks whether a task is in a cgroup's subtree; bpf_task_get_cgroup1
 * finds a task's cgroup in a cgroup v1 hierarchy. A test-run runs in the calling task, so the
 * task is the process running the script; the programs answer with counts and bits, never
 * with addresses. The refused programs break one rule each. */
#include "kfuncs.h"

#define VM_READ 0x1
#define VM_EXEC 0x4
#define VM_GROWSDOWN 0x100

struct mm_struct {
	unsigned long start_code;
	unsigned long start_stack;
} __attribute__((preserve_access_index));
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
} __attribute__((preserve_access_index));
struct cgroup {
	int level;
} __attribute__((preserve_access_index));
struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));
struct task_struct {
	struct mm_struct *mm;
	struct css_set *cgroups;
} __attribute__((preserve_access_index));

struct bpf_iter_task_vma {
	__u64 opaque;
} __attribute__((aligned(8)));

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task, __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;
extern long bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor) __ksym;
extern struct cgroup *bpf_task_get_cgroup1(struct task_struct *task, int hierarchy_id) __ksym;
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* Walks every area from address 0 (no count: the verifier follows the loop by the iterator, a
 * counter never converges): 2 the areas came in address order without overlap, 4 each belongs
 * to the task's mm, 8 one was the stack (grows down, holding start_stack), 16 one was
 * executable and held start_code, 32 new answered 0. */
SEC("tc")
int walk_all(struct __sk_buff *skb)
{
	struct task_struct *task = current_task();
	struct mm_struct *mm = task->mm;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	unsigned long last_end = 0;
	int bits = 2 | 4;

	if (bpf_iter_task_vma_new(&it, task, 0) == 0)
		bits |= 32;
	while ((vma = bpf_iter_task_vma_next(&it))) {
		if (vma->vm_start < last_end || vma->vm_end <= vma->vm_start)
			bits &= ~2;
		last_end = vma->vm_end;
		if (vma->vm_mm != mm)
			bits &= ~4;
		if ((vma->vm_flags & VM_GROWSDOWN) && vma->vm_start <= mm->start_stack && mm->start_stack < vma->vm_end)
			bits |= 8;
		if ((vma->vm_flags & VM_EXEC) && vma->vm_start <= mm->start_code && mm->start_code < vma->vm_end)
			bits |= 16;
	}
	bpf_iter_task_vma_destroy(&it);
	return bits;
}

/* From start_stack: the first area given holds it (1), and it is the stack (2). */
SEC("tc")
int walk_from_stack(struct __sk_buff *skb)
{
	struct task_struct *task = current_task();
	unsigned long at = task->mm->start_stack;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int bits = 0;

	bpf_iter_task_vma_new(&it, task, at);
	vma = bpf_iter_task_vma_next(&it);
	if (vma && vma->vm_start <= at && at < vma->vm_end)
		bits |= 1;
	if (vma && (vma->vm_flags & VM_GROWSDOWN))
		bits |= 2;
	bpf_iter_task_vma_destroy(&it);
	return bits;
}

/* From past every user address: no area (1 when next gave none). */
SEC("tc")
int walk_from_top(struct __sk_buff *skb)
{
	struct bpf_iter_task_vma it;
	int none;

	bpf_iter_task_vma_new(&it, current_task(), 0xffffffffffffffffULL);
	none = bpf_iter_task_vma_next(&it) == 0;
	bpf_iter_task_vma_destroy(&it);
	return none;
}

/* Next after the end: still none (1), and again (2). */
SEC("tc")
int next_after_end(struct __sk_buff *skb)
{
	struct bpf_iter_task_vma it;
	int bits = 0;

	bpf_iter_task_vma_new(&it, current_task(), 0);
	while (bpf_iter_task_vma_next(&it))
		;
	if (!bpf_iter_task_vma_next(&it))
		bits |= 1;
	if (!bpf_iter_task_vma_next(&it))
		bits |= 2;
	bpf_iter_task_vma_destroy(&it);
	return bits;
}

/* The running task under its own cgroup (1), the root (2). */
SEC("tc")
int under_own(struct __sk_buff *skb)
{
	struct task_struct *task = current_task();
	struct cgroup *root = bpf_cgroup_from_id(1);
	int bits = 0;

	if (bpf_task_under_cgroup(task, task->cgroups->dfl_cgrp))
		bits |= 1;
	if (root) {
		if (bpf_task_under_cgroup(task, root))
			bits |= 2;
		bpf_cgroup_release(root);
	}
	return bits;
}

/* The running task's cgroup v1 hierarchies 0-15: bit N when hierarchy N gave a cgroup (each
 * released), bit 16+N when the task is under it too. */
SEC("tc")
int cgroup1_hierarchies(struct __sk_buff *skb)
{
	struct task_struct *task = current_task();
	int bits = 0;

	for (int id = 0; id < 16; id++) {
		struct cgroup *cgrp = bpf_task_get_cgroup1(task, id);

		if (!cgrp)
			continue;
		bits |= 1 << id;
		if (bpf_task_under_cgroup(task, cgrp))
			bits |= 1 << (16 + id);
		bpf_cgroup_release(cgrp);
	}
	return bits;
}

/* A negative hierarchy id: NULL (1). */
SEC("tc")
int cgroup1_negative(struct __sk_buff *skb)
{
	struct cgroup *cgrp = bpf_task_get_cgroup1(current_task(), -1);

	if (!cgrp)
		return 1;
	bpf_cgroup_release(cgrp);
	return 0;
}

/* Refused: the v1 cgroup never released. */
SEC("tc")
int cgroup1_kept(struct __sk_buff *skb)
{
	return bpf_task_get_cgroup1(current_task(), 1) != 0;
}

/* Refused: the iterator never destroyed. */
SEC("tc")
int vma_iter_kept(struct __sk_buff *skb)
{
	struct bpf_iter_task_vma it;

	bpf_iter_task_vma_new(&it, current_task(), 0);
	return bpf_iter_task_vma_next(&it) != 0;
}

/* Refused: a vma written. */
SEC("tc")
int vma_written(struct __sk_buff *skb)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;

	bpf_iter_task_vma_new(&it, current_task(), 0);
	vma = bpf_iter_task_vma_next(&it);
	if (vma)
		vma->vm_start = 0;
	bpf_iter_task_vma_destroy(&it);
	return 0;
}

/* Refused: a vma read before the NULL check. */
SEC("tc")
int vma_unchecked(struct __sk_buff *skb)
{
	struct bpf_iter_task_vma it;
	long start;

	bpf_iter_task_vma_new(&it, current_task(), 0);
	start = bpf_iter_task_vma_next(&it)->vm_start;
	bpf_iter_task_vma_destroy(&it);
	return start != 0;
}

/* Refused: a task that may be NULL given to under_cgroup. */
SEC("tc")
int under_cgroup_null_cgroup(struct __sk_buff *skb)
{
	struct cgroup *root = bpf_cgroup_from_id(1);
	long under = bpf_task_under_cgroup(current_task(), root);

	if (root)
		bpf_cgroup_release(root);
	return under;
}

char _license[] SEC("license") = "GPL";
