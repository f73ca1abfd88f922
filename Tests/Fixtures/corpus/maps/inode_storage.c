/* An INODE_STORAGE map in an object whose tc program cannot use it (inode_storage_get and
 * _delete are for LSM and tracing programs; a tc program that names the map is refused). The
 * map must still be created, as libbpf creates every map of an object: InodeStorageTests
 * reads and writes it from userspace with file descriptors as keys. Public objects do this
 * (a selftest with a tc program beside LSM programs failed to load on the embedded backend). */
#include "maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} per_inode SEC(".maps");

SEC("tc")
int pass(struct __sk_buff *skb)
{
	return 0;
}

/* Offered to LSM and tracing programs only: the kernel refuses it in a tc program, whatever
 * the map (the inode pointer would come from a hook's arguments). */
static void *(*inode_storage_get)(void *map, void *inode, void *value, __u64 flags) = (void *)BPF_FUNC_inode_storage_get;

SEC("tc")
int use(struct __sk_buff *skb)
{
	return inode_storage_get(&per_inode, 0, 0, 0) ? 1 : 0;
}

LICENSE;
