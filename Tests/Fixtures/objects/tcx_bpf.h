/* A small, self-contained header for the object-loader fixtures: section and
 * map-definition macros, the handful of helpers the fixtures call, and the
 * leading fields of __sk_buff. Written for swift-tcx; not libbpf's header. */
#ifndef TCX_BPF_H
#define TCX_BPF_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

/* Place a function or variable in a named ELF section and keep it. */
#define SEC(name) __attribute__((section(name), used))
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))

/* BTF-defined maps: the member's type carries the value, the member's name the key.
 * __uint(f, n): a pointer to an array of n ints; __type(f, T): a pointer to T. */
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

enum tcx_map_type {
	MAP_HASH = 1,
	MAP_ARRAY = 2,
	MAP_PROG_ARRAY = 3,
	MAP_PERCPU_HASH = 5,
	MAP_PERCPU_ARRAY = 6,
	MAP_LRU_HASH = 9,
	MAP_LRU_PERCPU_HASH = 10,
	MAP_LPM_TRIE = 11,
	MAP_RINGBUF = 27,
};

#define F_NO_PREALLOC 1
#define PIN_BY_NAME 1

/* The legacy `maps` section layout: five 32-bit fields. */
struct legacy_map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

/* Helpers are called through constant pointers whose value is the helper id. */
static void *(*const map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*const map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*const tail_call)(void *ctx, void *prog_array, __u32 index) = (void *)12;
static __u64 (*const ktime_get_ns)(void) = (void *)5;
static long (*const trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;
static long (*const ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) = (void *)130;
static long (*const loop)(__u32 n, void *callback, void *ctx, __u64 flags) = (void *)181;

/* The first fields of the kernel's __sk_buff, at their ABI offsets. */
struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
};

struct xdp_md {
	__u32 data;
	__u32 data_end;
	__u32 data_meta;
	__u32 ingress_ifindex;
	__u32 rx_queue_index;
	__u32 egress_ifindex;
};

#define LICENSE(s) char _license[] SEC("license") = s

#endif
