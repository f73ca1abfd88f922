/* bpf_find_vma (helper 180) in tc programs: the running task's memory area holding an address.
 * A test-run runs in the calling task, so its task is the process running the script on either
 * backend; the programs look up addresses of its own memory map (mm->start_stack, start_code)
 * and answer with bits about what the callback saw, never with the addresses themselves (they
 * differ from process to process). The refused programs break one rule each. */
#include "kfuncs.h"

/* The vm_flags bits (include/linux/mm.h). */
#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_SHARED 0x8
#define VM_GROWSDOWN 0x100

struct mm_struct {
	unsigned long start_code;
	unsigned long end_code;
	unsigned long start_data;
	unsigned long end_data;
	unsigned long start_brk;
	unsigned long start_stack;
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
} __attribute__((preserve_access_index));
struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
	unsigned long vm_pgoff;
} __attribute__((preserve_access_index));
struct task_struct {
	struct mm_struct *mm;
} __attribute__((preserve_access_index));

static struct task_struct *(*current_task)(void) = (void *)BPF_FUNC_get_current_task_btf;
static long (*find_vma)(struct task_struct *task, __u64 addr, void *callback, void *ctx,
			__u64 flags) = (void *)BPF_FUNC_find_vma;

/* What the callback saw of the area holding `addr`. */
struct seen {
	__u64 addr;
	__u64 start, end, flags;
	struct mm_struct *mm;
	int calls;
};

static long note_vma(struct task_struct *task, struct vm_area_struct *vma, struct seen *seen)
{
	seen->start = vma->vm_start;
	seen->end = vma->vm_end;
	seen->flags = vma->vm_flags;
	seen->mm = vma->vm_mm;
	/* Set, not counted: the verifier follows a callback as a loop, a count never converges. */
	seen->calls = 1;
	return 0;
}

/* Bits: 1 the callback ran, 2 the area holds addr, 4 read, 8 write, 16 exec, 32 shared, 64 grows down,
 * 128 the area's mm is the task's, 256 the helper answered 0; a negative errno otherwise. */
static int describe(__u64 addr)
{
	struct task_struct *task = current_task();
	struct seen seen = { .addr = addr };
	long ret = find_vma(task, addr, note_vma, &seen, 0);
	int bits = 0;

	if (ret)
		return ret;
	if (seen.calls)
		bits |= 1;
	if (seen.start <= addr && addr < seen.end)
		bits |= 2;
	if (seen.flags & VM_READ)
		bits |= 4;
	if (seen.flags & VM_WRITE)
		bits |= 8;
	if (seen.flags & VM_EXEC)
		bits |= 16;
	if (seen.flags & VM_SHARED)
		bits |= 32;
	if (seen.flags & VM_GROWSDOWN)
		bits |= 64;
	if (seen.mm == task->mm)
		bits |= 128;
	return bits | 256;
}

/* The area of the stack the process started on: read, write, grows down. */
SEC("tc")
int stack_area(struct __sk_buff *skb)
{
	return describe(current_task()->mm->start_stack);
}

/* The area of the first code: read and exec. */
SEC("tc")
int code_area(struct __sk_buff *skb)
{
	return describe(current_task()->mm->start_code);
}

/* The last byte of the code: in an executable area too. */
SEC("tc")
int code_end(struct __sk_buff *skb)
{
	return describe(current_task()->mm->end_code - 1);
}

/* The program's arguments: on the stack the process started on. */
SEC("tc")
int arguments_area(struct __sk_buff *skb)
{
	struct mm_struct *mm = current_task()->mm;

	if (mm->arg_start >= mm->arg_end || mm->env_start >= mm->env_end)
		return -1000;
	return describe(mm->arg_start);
}

/* The whole vm_flags (low 32 bits) of the stack's and the code's areas: the VM_MAY* and
 * accounting bits too, which a maps line does not show. */
static long note_flags(struct task_struct *task, struct vm_area_struct *vma, __u64 *flags)
{
	*flags = vma->vm_flags;
	return 0;
}

SEC("tc")
int stack_flags(struct __sk_buff *skb)
{
	__u64 flags = 0;
	long ret = find_vma(current_task(), current_task()->mm->start_stack, note_flags, &flags, 0);

	return ret ? ret : (int)flags;
}

SEC("tc")
int code_flags(struct __sk_buff *skb)
{
	__u64 flags = 0;
	long ret = find_vma(current_task(), current_task()->mm->start_code, note_flags, &flags, 0);

	return ret ? ret : (int)flags;
}

/* Address 0: no area holds it (ENOENT, the callback never runs). */
SEC("tc")
int null_address(struct __sk_buff *skb)
{
	return describe(0);
}

/* A kernel address: not in a task's memory map. */
SEC("tc")
int kernel_address(struct __sk_buff *skb)
{
	return describe(0xffff888000000000ULL);
}

/* The program's own stack is kernel memory, in no area of the task. */
SEC("tc")
int own_stack_address(struct __sk_buff *skb)
{
	__u64 local = 0;

	return describe((__u64)&local);
}

/* The address the request frame carries after the Ethernet header. */
SEC("tc")
int packet_address(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u64 addr;

	if (data + 22 > end)
		return -1000;
	__builtin_memcpy(&addr, data + 14, 8);
	return describe(addr);
}

/* Flags other than 0: EINVAL before anything is looked up. */
SEC("tc")
int with_flags(struct __sk_buff *skb)
{
	struct seen seen = {};

	return find_vma(current_task(), current_task()->mm->start_stack, note_vma, &seen, 1) + 1000 * seen.calls;
}

/* The callback's result is its own business: returning 1 still answers 0. */
static long stop_at_vma(struct task_struct *task, struct vm_area_struct *vma, struct seen *seen)
{
	seen->calls = 1;
	return 1;
}

SEC("tc")
int callback_stops(struct __sk_buff *skb)
{
	struct seen seen = {};
	long ret = find_vma(current_task(), current_task()->mm->start_stack, stop_at_vma, &seen, 0);

	return ret * 10 + seen.calls;
}

/* Refused: a callback writing the area. */
static long write_vma(struct task_struct *task, struct vm_area_struct *vma, struct seen *seen)
{
	vma->vm_start = 0;
	return 0;
}

SEC("tc")
int writes_vma(struct __sk_buff *skb)
{
	struct seen seen = {};

	return find_vma(current_task(), 0, write_vma, &seen, 0);
}

/* Refused: a callback answering 2. */
static long answer_two(struct task_struct *task, struct vm_area_struct *vma, struct seen *seen)
{
	return 2;
}

SEC("tc")
int callback_answers_two(struct __sk_buff *skb)
{
	struct seen seen = {};

	return find_vma(current_task(), 0, answer_two, &seen, 0);
}

/* Refused: a task that is not a task (a scalar). */
SEC("tc")
int scalar_task(struct __sk_buff *skb)
{
	struct seen seen = {};

	return find_vma((struct task_struct *)(long)skb->mark, 0, note_vma, &seen, 0);
}

char _license[] SEC("license") = "GPL";
