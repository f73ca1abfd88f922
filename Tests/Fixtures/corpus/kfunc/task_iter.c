/* The task iterator (bpf_iter_task_{new,next,destroy}) in tc programs. The kernel walks every
 * task of the machine (BPF_TASK_ITER_ALL_PROCS, ALL_THREADS) or the threads of one process
 * (PROC_THREADS, from the task given); the embedded backend's system is the process running the
 * program. So these programs only ask what holds on both: whether the running task's own thread
 * and process are among those walked, whether the walk's kinds hold (processes are leaders,
 * threads share the given task's process), and the errors. The refused programs break one rule
 * each. */
#include "kfuncs.h"

#define ALL_PROCS 0
#define ALL_THREADS 1
#define PROC_THREADS 2

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

struct bpf_iter_task {
	__u64 opaque[3];
} __attribute__((aligned(8)));

extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task__nullable, unsigned int flags) __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __ksym;
static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* The threads of the running task's process, from itself: 1 new answered 0, 2 the first is the
 * running task, 4 every one is of its process. */
SEC("tc")
int proc_threads(struct __sk_buff *skb)
{
	struct task_struct *self = current_task(), *task;
	struct bpf_iter_task it;
	int bits = 4, first = 1;

	if (bpf_iter_task_new(&it, self, PROC_THREADS) == 0)
		bits |= 1;
	while ((task = bpf_iter_task_next(&it))) {
		if (first && task->pid == self->pid)
			bits |= 2;
		first = 0;
		if (task->tgid != self->tgid)
			bits &= ~4;
	}
	bpf_iter_task_destroy(&it);
	return bits;
}

/* Every process: 1 new answered 0, 2 the running task's process is among them, 4 each is its
 * process's leader (pid == tgid). */
SEC("tc")
int all_procs(struct __sk_buff *skb)
{
	struct task_struct *self = current_task(), *task;
	struct bpf_iter_task it;
	int bits = 4;

	if (bpf_iter_task_new(&it, 0, ALL_PROCS) == 0)
		bits |= 1;
	while ((task = bpf_iter_task_next(&it))) {
		if (task->pid == self->tgid)
			bits |= 2;
		if (task->pid != task->tgid)
			bits &= ~4;
	}
	bpf_iter_task_destroy(&it);
	return bits;
}

/* Every thread: 1 new answered 0, 2 the running task is among them, 4 its process's leader is. */
SEC("tc")
int all_threads(struct __sk_buff *skb)
{
	struct task_struct *self = current_task(), *task;
	struct bpf_iter_task it;
	int bits = 0;

	if (bpf_iter_task_new(&it, self, ALL_THREADS) == 0)
		bits |= 1;
	while ((task = bpf_iter_task_next(&it))) {
		if (task->pid == self->pid)
			bits |= 2;
		if (task->pid == self->tgid)
			bits |= 4;
	}
	bpf_iter_task_destroy(&it);
	return bits;
}

/* new's answer for the flags the request frame carries after the Ethernet header, with the
 * running task (or NULL when the next byte is 1); then 100 when next still gave a task. */
SEC("tc")
int new_flags(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct bpf_iter_task it;
	__u32 flags;
	int ret;

	if (data + 19 > end)
		return -1000;
	__builtin_memcpy(&flags, data + 14, 4);
	ret = bpf_iter_task_new(&it, *(__u8 *)(data + 18) == 1 ? 0 : current_task(), flags);
	if (bpf_iter_task_next(&it))
		ret += 100;
	bpf_iter_task_destroy(&it);
	return ret;
}

/* Refused: the iterator never destroyed. */
SEC("tc")
int iter_kept(struct __sk_buff *skb)
{
	struct bpf_iter_task it;

	bpf_iter_task_new(&it, 0, ALL_PROCS);
	return bpf_iter_task_next(&it) != 0;
}

/* Refused: a task read before the NULL check. */
SEC("tc")
int task_unchecked(struct __sk_buff *skb)
{
	struct bpf_iter_task it;
	int pid;

	bpf_iter_task_new(&it, 0, ALL_PROCS);
	pid = bpf_iter_task_next(&it)->pid;
	bpf_iter_task_destroy(&it);
	return pid;
}

char _license[] SEC("license") = "GPL";
