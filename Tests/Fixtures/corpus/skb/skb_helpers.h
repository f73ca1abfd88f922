/* Declarations this corpus uses in place of libbpf's bpf_helpers.h: the same shapes (SEC, map
 * definition macros, helpers as pointers to their ids), written for these programs. */
#pragma once
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __always_inline inline __attribute__((always_inline))

struct __sk_buff {
	__u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto;
	__u32 priority, ingress_ifindex, ifindex, tc_index, cb[5], hash, tc_classid, data, data_end, napi_id;
	__u32 family, remote_ip4, local_ip4, remote_ip6[4], local_ip6[4], remote_port, local_port;
	__u32 data_meta;
	union { void *flow_keys; __u64 :64; } __attribute__((aligned(8)));
	__u64 tstamp;
	__u32 wire_len, gso_segs;
	union { void *sk; __u64 :64; } __attribute__((aligned(8)));
	__u32 gso_size;
	__u8 tstamp_type;
	__u32 :24;
	__u64 hwtstamp;
};

struct bpf_tunnel_key {
	__u32 tunnel_id;
	union { __u32 remote_ipv4; __u32 remote_ipv6[4]; };
	__u8 tunnel_tos;
	__u8 tunnel_ttl;
	union { __u16 tunnel_ext; __u16 tunnel_flags; };
	__u32 tunnel_label;
	union { __u32 local_ipv4; __u32 local_ipv6[4]; };
};

struct bpf_dynptr { __u64 :64; __u64 :64; } __attribute__((aligned(8)));

/* Legacy map definitions (section "maps"), as iproute2 and old libbpf read them. */
struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };

enum { MAP_HASH = 1, MAP_ARRAY = 2, MAP_PERCPU_ARRAY = 6, MAP_RINGBUF = 27 };

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_skb_store_bytes)(struct __sk_buff *skb, __u32 off, const void *from, __u32 len, __u64 flags) = (void *)9;
static long (*bpf_skb_get_tunnel_key)(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags) = (void *)20;
static long (*bpf_skb_set_tunnel_key)(struct __sk_buff *skb, struct bpf_tunnel_key *key, __u32 size, __u64 flags) = (void *)21;
static long (*bpf_skb_load_bytes)(const void *skb, __u32 off, void *to, __u32 len) = (void *)26;
static long (*bpf_skb_get_tunnel_opt)(struct __sk_buff *skb, void *opt, __u32 size) = (void *)29;
static long (*bpf_skb_set_tunnel_opt)(struct __sk_buff *skb, void *opt, __u32 size) = (void *)30;
static long (*bpf_skb_change_proto)(struct __sk_buff *skb, __u16 proto, __u64 flags) = (void *)31;
static long (*bpf_skb_change_type)(struct __sk_buff *skb, __u32 type) = (void *)32;
static long (*bpf_csum_update)(struct __sk_buff *skb, __u32 csum) = (void *)40;
static long (*bpf_skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode, __u64 flags) = (void *)50;
static long (*bpf_skb_get_xfrm_state)(struct __sk_buff *skb, __u32 index, void *state, __u32 size, __u64 flags) = (void *)66;
static long (*bpf_skb_load_bytes_relative)(const void *skb, __u32 off, void *to, __u32 len, __u32 start) = (void *)68;
static long (*bpf_skb_ecn_set_ce)(struct __sk_buff *skb) = (void *)97;
static long (*bpf_strtol)(const char *buf, unsigned long len, __u64 flags, long *res) = (void *)105;
static long (*bpf_strtoul)(const char *buf, unsigned long len, __u64 flags, unsigned long *res) = (void *)106;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;
static long (*bpf_probe_read_user)(void *dst, __u32 size, const void *src) = (void *)112;
static long (*bpf_probe_read_kernel_str)(void *dst, __u32 size, const void *src) = (void *)115;
static long (*bpf_csum_level)(struct __sk_buff *skb, __u64 level) = (void *)135;
static long (*bpf_for_each_map_elem)(void *map, void *callback, void *ctx, __u64 flags) = (void *)164;
static long (*bpf_snprintf)(char *str, __u32 size, const char *fmt, __u64 *data, __u32 data_len) = (void *)165;
static long (*bpf_strncmp)(const char *s1, __u32 s1_sz, const char *s2) = (void *)182;
static long (*bpf_skb_set_tstamp)(struct __sk_buff *skb, __u64 tstamp, __u32 type) = (void *)192;
static void *(*bpf_map_lookup_percpu_elem)(void *map, const void *key, __u32 cpu) = (void *)195;
static long (*bpf_dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)197;
static long (*bpf_ringbuf_reserve_dynptr)(void *map, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)198;
static void (*bpf_ringbuf_submit_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)199;
static void (*bpf_ringbuf_discard_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)200;
static long (*bpf_dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 off, __u64 flags) = (void *)201;
static long (*bpf_dynptr_write)(const struct bpf_dynptr *dst, __u32 off, void *src, __u32 len, __u64 flags) = (void *)202;
static void *(*bpf_dynptr_data)(const struct bpf_dynptr *ptr, __u32 off, __u32 len) = (void *)203;
static __u64 (*bpf_get_socket_uid)(struct __sk_buff *skb) = (void *)47;
static __u64 (*bpf_get_route_realm)(struct __sk_buff *skb) = (void *)24;
static __u64 (*bpf_skb_cgroup_classid)(struct __sk_buff *skb) = (void *)151;
static __u64 (*bpf_get_numa_node_id)(void) = (void *)42;
