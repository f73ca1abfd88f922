#ifndef CBPFSYS_PERF_H
#define CBPFSYS_PERF_H

/* perf_event_open(2) for a BPF output event, and the ordered loads and stores its mmap'd ring
 * needs: the kernel publishes data_head with a release store and reads data_tail the same way. */

/* A PERF_TYPE_SOFTWARE / PERF_COUNT_SW_BPF_OUTPUT event on `cpu` (any task), sampling raw
 * records one by one, close-on-exec. The descriptor, or -1 with errno set. */
int cbpfsys_perf_open_bpf_output(int cpu);

/* __atomic_load_n(ACQUIRE) of the u64 at `address`. */
unsigned long long cbpfsys_load_acquire_u64(const void *address);

/* __atomic_store_n(RELEASE) of `value` at `address`. */
void cbpfsys_store_release_u64(void *address, unsigned long long value);

#endif
