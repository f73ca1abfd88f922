/* bpf_task_work_schedule_{resume,signal}_impl in tc programs: Linux 6.18 offers them to tc,
 * but their callback is sleepable and a tc program is not, so every program whose path reaches
 * one is refused (EPERM), after its arguments are checked; a call no path reaches loads.
 * Written by hand, not by gen.py. */
#include "kfuncs.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));
struct bpf_map {
	int id;
} __attribute__((preserve_access_index));
struct bpf_task_work {
	__u64 __opaque;
} __attribute__((aligned(8)));

struct work {
	struct bpf_task_work tw;
	__u64 ran;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct work);
} works SEC(".maps");

typedef int (*bpf_task_work_callback_t)(struct bpf_map *map, void *key, void *value);
extern int bpf_task_work_schedule_resume_impl(struct task_struct *task, struct bpf_task_work *tw, void *map__map,
					      bpf_task_work_callback_t callback, void *aux__prog) __ksym;
extern int bpf_task_work_schedule_signal_impl(struct task_struct *task, struct bpf_task_work *tw, void *map__map,
					      bpf_task_work_callback_t callback, void *aux__prog) __ksym;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;

/* Known to the verifier: 0, so the guarded calls are dead code. */
const volatile int scheduling = 0;

static int count_run(struct bpf_map *map, void *key, void *value)
{
	struct work *work = value;

	work->ran += 1;
	return 0;
}

static struct work *the_work(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&works, &zero);
}

/* Refused: reached, with a resume callback. */
SEC("tc")
int schedule_resume(struct __sk_buff *skb)
{
	struct work *work = the_work();

	if (!work)
		return 0;
	return bpf_task_work_schedule_resume_impl(current_task(), &work->tw, &works, count_run, 0);
}

/* Refused: reached, with a signal callback. */
SEC("tc")
int schedule_signal(struct __sk_buff *skb)
{
	struct work *work = the_work();

	if (!work)
		return 0;
	return bpf_task_work_schedule_signal_impl(current_task(), &work->tw, &works, count_run, 0);
}

/* Loads: no path reaches the call. */
SEC("tc")
int never_scheduled(struct __sk_buff *skb)
{
	struct work *work = the_work();

	if (!work)
		return 0;
	if (scheduling)
		return bpf_task_work_schedule_resume_impl(current_task(), &work->tw, &works, count_run, 0);
	return 7;
}

/* Refused first for its task, which may be NULL. */
SEC("tc")
int maybe_null_task(struct __sk_buff *skb)
{
	struct work *work = the_work();
	struct task_struct *task = bpf_task_from_pid(1);
	int ret;

	if (!work) {
		if (task)
			bpf_task_release(task);
		return 0;
	}
	ret = bpf_task_work_schedule_signal_impl(task, &work->tw, &works, count_run, 0);
	if (task)
		bpf_task_release(task);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
