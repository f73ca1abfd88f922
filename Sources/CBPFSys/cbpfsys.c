#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "cbpfsys.h"

long cbpfsys_bpf(int cmd, void *attr, unsigned int size) {
    return syscall(SYS_bpf, cmd, attr, size);
}

int cbpfsys_unshare_net(void) { return unshare(CLONE_NEWNET); }

int cbpfsys_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int cbpfsys_mount_bpffs(const char *path) { return mount("bpf", path, "bpf", 0, NULL); }

int cbpfsys_umount(const char *path, int detach) { return umount2(path, detach ? MNT_DETACH : 0); }

long cbpfsys_fs_magic(const char *path) {
    struct statfs status;
    if (statfs(path, &status) != 0) return -1;
    return (long)status.f_type;
}

int cbpfsys_unshare_mount(void) {
    if (unshare(CLONE_NEWNS | CLONE_FS) != 0) return -1;
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

int cbpfsys_mount_tmpfs(const char *path) { return mount("tmpfs", path, "tmpfs", 0, "mode=0755"); }

int cbpfsys_bind_mount(const char *source, const char *target) { return mount(source, target, NULL, MS_BIND, NULL); }

#include <errno.h>

int cbpfsys_fsmount_bpffs(void) {
#if defined(SYS_fsopen) && defined(SYS_fsconfig) && defined(SYS_fsmount)
    int context = (int)syscall(SYS_fsopen, "bpf", 0x1 /* FSOPEN_CLOEXEC */);
    if (context < 0) return -1;
    if (syscall(SYS_fsconfig, context, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) != 0) {
        int saved = errno;
        close(context);
        errno = saved;
        return -1;
    }
    int mounted = (int)syscall(SYS_fsmount, context, 0x1 /* FSMOUNT_CLOEXEC */, 0);
    int saved = errno;
    close(context);
    errno = saved;
    return mounted;
#else
    errno = ENOSYS;
    return -1;
#endif
}

long cbpfsys_read_own_memory(void *dst, unsigned long address, unsigned long size) {
    struct iovec local = { .iov_base = dst, .iov_len = size };
    struct iovec remote = { .iov_base = (void *)address, .iov_len = size };
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
}

long cbpfsys_getxattr(const char *path, const char *name, void *value, unsigned long size) {
    return getxattr(path, name, value, size);
}

int cbpfsys_queue_own_signal(int tid, int sig, unsigned long long value, int thread) {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    info.si_signo = sig;
    info.si_code = SI_KERNEL;
    info.si_value.sival_ptr = (void *)(unsigned long)value;
    if (thread)
        return (int)syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, sig, &info);
    if (syscall(SYS_rt_sigqueueinfo, getpid(), sig, &info) == 0)
        return 0;
    /* The kernel takes a non-negative si_code only from the process's main thread: from
     * another, the signal goes with sigqueue's SI_QUEUE. */
    union sigval sent = { .sival_ptr = (void *)(unsigned long)value };
    return sigqueue(getpid(), sig, sent);
}
