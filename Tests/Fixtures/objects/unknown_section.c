/* A program in a section the loader has no program type for. */
#include "tcx_bpf.h"

SEC("kprobe/do_sys_open")
int probe(void *ctx)
{
	return 0;
}

LICENSE("GPL");
