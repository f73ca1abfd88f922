/* Task-local storage from tc: bpf_get_current_task_btf gives the task that runs the program
 * (in BPF_PROG_TEST_RUN, the caller), bpf_task_storage_get / _delete use its storage. The
 * request (byte 14 on): u32 op, u32 flags, u64 the value created storage starts from.
 *   op 0: get with flags, no start value    op 1: get with flags and the start value
 *   op 2: delete                             op 3: get on a NULL task (flags)
 * The answer at byte 38: s64 the result (1 storage, 0 NULL, or the delete's result), u64 the
 * counter, bumped on every get that returned storage. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

struct task_struct;

static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static void *(*task_storage_get)(void *map, struct task_struct *task, void *value, __u64 flags) = (void *)156;
static long (*task_storage_delete)(void *map, struct task_struct *task) = (void *)157;
static struct task_struct *(*get_current_task_btf)(void) = (void *)158;

struct counter {
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct counter);
} per_task SEC(".maps");

struct request {
	__u32 op;
	__u32 flags;
	__u64 start;
};

SEC("tc")
int task_storage(struct __sk_buff *skb)
{
	struct request req;
	struct counter start;
	struct counter *storage = 0;
	struct task_struct *task = get_current_task_btf();
	__s64 out[2] = { 0, 0 };
	if (skb_load_bytes(skb, 14, &req, sizeof(req)))
		return 2;
	start.count = req.start;
	switch (req.op) {
	case 0:
		storage = task_storage_get(&per_task, task, 0, req.flags);
		break;
	case 1:
		storage = task_storage_get(&per_task, task, &start, req.flags);
		break;
	case 2:
		out[0] = task_storage_delete(&per_task, task);
		break;
	default:
		storage = task_storage_get(&per_task, 0, 0, req.flags);
		break;
	}
	if (storage) {
		storage->count++;
		out[0] = 1;
		out[1] = storage->count;
	}
	skb_store_bytes(skb, 38, out, sizeof(out), 0);
	return 0;
}

char _license[] SEC("license") = "GPL";
