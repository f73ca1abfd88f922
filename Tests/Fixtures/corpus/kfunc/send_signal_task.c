/* bpf_send_signal_task on the test-run's own task (a test-run runs in the calling task): the
 * signal and pid type come from the request; only signals whose default action is to ignore
 * them are sent (SIGURG, SIGWINCH), so the process running the script lives on. The answer is
 * the kfunc's. The refused programs break one rule each. Written by hand, not by gen.py. */
#include "kfuncs.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

extern int bpf_send_signal_task(struct task_struct *task, int sig, enum pid_type type, __u64 value) __ksym;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* s32 @14 the signal, s32 @18 the pid type. */
SEC("tc")
int signal_self(struct __sk_buff *skb)
{
	struct {
		__s32 sig;
		__s32 type;
	} __attribute__((packed)) request;

	if (bpf_skb_load_bytes(skb, 14, &request, sizeof(request)))
		return -1000;
	return bpf_send_signal_task(current_task(), request.sig, request.type, 42);
}

/* The process found by its own pid (a held reference): SIGURG to it. */
SEC("tc")
int signal_found(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid(current_task()->pid);
	int ret;

	if (!task)
		return -1000;
	ret = bpf_send_signal_task(task, 23, PIDTYPE_TGID, 0);
	bpf_task_release(task);
	return ret;
}

/* Refused: a task that may be NULL. */
SEC("tc")
int maybe_null_task(struct __sk_buff *skb)
{
	struct task_struct *task = bpf_task_from_pid(1);
	int ret = bpf_send_signal_task(task, 0, PIDTYPE_PID, 0);

	if (task)
		bpf_task_release(task);
	return ret;
}

/* Refused: a number is no task. */
SEC("tc")
int number_task(struct __sk_buff *skb)
{
	return bpf_send_signal_task((struct task_struct *)(long)skb->len, 0, PIDTYPE_PID, 0);
}

char LICENSE[] SEC("license") = "GPL";
