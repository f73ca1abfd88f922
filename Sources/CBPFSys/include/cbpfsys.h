#ifndef CBPFSYS_H
#define CBPFSYS_H

#include "cbpfsys_stdout.h"

/* The few calls Swift cannot make directly: bpf(2) is reached only through the variadic
 * syscall(2), and unshare/setns/mount sit behind _GNU_SOURCE. Each returns -1 with errno set
 * on failure, like the call it wraps. */

/* bpf(2): cmd, a pointer to the attr union, and the number of bytes the kernel may read. */
long cbpfsys_bpf(int cmd, void *attr, unsigned int size);

/* unshare(CLONE_NEWNET): moves only the calling thread into a fresh network namespace. */
int cbpfsys_unshare_net(void);

/* setns(fd, CLONE_NEWNET): moves the calling thread into the namespace fd refers to. */
int cbpfsys_setns_net(int fd);

/* A bpffs instance mounted nowhere (fsopen, fsconfig CREATE, fsmount): the returned
 * descriptor is its root, and the instance goes when the last descriptor closes. */
int cbpfsys_fsmount_bpffs(void);

/* mount -t bpf bpf PATH */
int cbpfsys_mount_bpffs(const char *path);

/* umount2(PATH, flags); detach = lazy unmount (MNT_DETACH). */
int cbpfsys_umount(const char *path, int detach);

/* statfs(PATH).f_type: which file system PATH is on (BPF_FS_MAGIC for a bpffs). */
long cbpfsys_fs_magic(const char *path);

/* unshare(CLONE_NEWNS | CLONE_FS) for the calling thread, then every mount made private, so
 * what the thread mounts is seen by no one else and goes when its last user does. */
int cbpfsys_unshare_mount(void);

/* mount -t tmpfs tmpfs PATH */
int cbpfsys_mount_tmpfs(const char *path);

/* mount --bind SOURCE TARGET */
int cbpfsys_bind_mount(const char *source, const char *target);

/* process_vm_readv(2) on the calling process: reads SIZE bytes at ADDRESS of its own memory
 * into DST without faulting (the mapping's permissions apply); the bytes read, or -1. */
long cbpfsys_read_own_memory(void *dst, unsigned long address, unsigned long size);

/* getxattr(2): SIZE bytes of attribute NAME of PATH into VALUE (NULL with SIZE 0: its
 * length); the length, or -1 with errno set. (<sys/xattr.h> is not in Swift's Glibc.) */
long cbpfsys_getxattr(const char *path, const char *name, void *value, unsigned long size);

/* Queues signal SIG to this process (THREAD 0) or to its thread TID (THREAD 1) with the
 * siginfo the kernel's bpf_send_signal_task gives: si_code SI_KERNEL, si_value VALUE, si_pid
 * and si_uid 0 (rt_sigqueueinfo and rt_tgsigqueueinfo take any si_code to the caller's own
 * process; to the process from a thread other than the main one, sigqueue's SI_QUEUE). 0, or
 * -1 with errno set. */
int cbpfsys_queue_own_signal(int tid, int sig, unsigned long long value, int thread);

/* perf_event_open(2) and the ring ordering helpers. */
#include "cbpfsys_perf.h"

#endif
