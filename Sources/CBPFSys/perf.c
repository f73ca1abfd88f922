#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cbpfsys_perf.h"

int cbpfsys_perf_open_bpf_output(int cpu) {
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	/* Every output is one sample, and each may wake a reader. */
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	return (int)syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

unsigned long long cbpfsys_load_acquire_u64(const void *address) {
	return __atomic_load_n((const unsigned long long *)address, __ATOMIC_ACQUIRE);
}

void cbpfsys_store_release_u64(void *address, unsigned long long value) {
	__atomic_store_n((unsigned long long *)address, value, __ATOMIC_RELEASE);
}
