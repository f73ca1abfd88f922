#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cbpfsys.h"

long cbpfsys_bpf(int cmd, void *attr, unsigned int size) {
    return syscall(SYS_bpf, cmd, attr, size);
}

int cbpfsys_unshare_net(void) { return unshare(CLONE_NEWNET); }

int cbpfsys_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int cbpfsys_mount_bpffs(const char *path) { return mount("bpf", path, "bpf", 0, NULL); }

int cbpfsys_umount(const char *path, int detach) { return umount2(path, detach ? MNT_DETACH : 0); }
