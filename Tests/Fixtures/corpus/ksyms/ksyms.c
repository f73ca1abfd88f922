/* Kernel variables a tc program names with __ksym, as monitoring programs do: typed per-CPU
 * ones (an int, a struct read through CO-RE) reached with bpf_this_cpu_ptr / bpf_per_cpu_ptr,
 * an untyped one whose address is only tested, and weak ones the kernel lacks (address 0).
 * The return value is what the program found. Uses the map corpus's header. */
#include "maps.h"

#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))

struct rq {
	int cpu;
} __attribute__((preserve_access_index));

extern const int bpf_prog_active __ksym;
extern const struct rq runqueues __ksym;
extern const void init_task __ksym;
extern const int no_such_variable __ksym __weak;
extern const void no_such_symbol __ksym __weak;

static void *(*per_cpu_ptr)(const void *ptr, __u32 cpu) = (void *)BPF_FUNC_per_cpu_ptr;
static void *(*this_cpu_ptr)(const void *ptr) = (void *)BPF_FUNC_this_cpu_ptr;

/* This CPU's bpf_prog_active is a counter, never negative: 1. */
SEC("tc")
int this_cpu(struct __sk_buff *skb)
{
	const int *active = this_cpu_ptr(&bpf_prog_active);
	return *active >= 0;
}

/* The cpu field of CPU 1's runqueue (1), or -1 past the possible CPUs, -2 for CPU 4096. */
SEC("tc")
int runqueue_cpu(struct __sk_buff *skb)
{
	const struct rq *rq = per_cpu_ptr(&runqueues, 1);
	if (!rq)
		return -1;
	if (per_cpu_ptr(&runqueues, 4096))
		return -2;
	return rq->cpu;
}

/* An untyped symbol's address is a number: present (1) or not. */
SEC("tc")
int untyped(struct __sk_buff *skb)
{
	unsigned long address = (unsigned long)&init_task;
	asm volatile("" : "+r"(address));	/* a number the compiler cannot fold */
	return address != 0;
}

/* Weak variables the kernel lacks are 0: 0, guarded code never runs. */
SEC("tc")
int missing(struct __sk_buff *skb)
{
	if (&no_such_variable)
		return *(const int *)this_cpu_ptr(&no_such_variable) + 10;
	return &no_such_symbol != 0;
}

/* A typed variable first, then an untyped one the loader cannot resolve: the loader's refusal
 * (ESRCH) comes before the verifier could refuse the typed one (ENOENT). */
SEC("tc")
int typed_then_untyped(struct __sk_buff *skb)
{
	const int *active = this_cpu_ptr(&bpf_prog_active);
	unsigned long address = (unsigned long)&init_task;

	asm volatile("" : "+r"(address));
	return *active + (address != 0);
}
LICENSE;
