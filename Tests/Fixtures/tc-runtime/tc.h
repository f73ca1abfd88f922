/* The small header the tc-runtime fixtures use instead of libbpf: types, __sk_buff (uapi layout),
 * helper declarations by id. Self-contained so the fixtures build with any clang. */
#pragma once
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef signed long long s64;

#define SEC(name) __attribute__((section(name), used))
#define INLINE static inline __attribute__((always_inline))

struct __sk_buff {
	u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto;
	u32 priority, ingress_ifindex, ifindex, tc_index, cb[5], hash, tc_classid, data, data_end, napi_id;
	u32 family, remote_ip4, local_ip4, remote_ip6[4], local_ip6[4], remote_port, local_port;
	u32 data_meta;
	union { void *flow_keys; u64 :64; } __attribute__((aligned(8)));
	u64 tstamp;
	u32 wire_len, gso_segs;
	union { void *sk; u64 :64; } __attribute__((aligned(8)));
	u32 gso_size;
	u8 tstamp_type;
	u32 :24;
	u64 hwtstamp;
};

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7
#define bswap16(x) __builtin_bswap16(x)
#define bswap32(x) __builtin_bswap32(x)

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (*map_delete_elem)(void *map, const void *key) = (void *)3;
static u64 (*ktime_get_ns)(void) = (void *)5;
static long (*trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;
static u32 (*get_prandom_u32)(void) = (void *)7;
static u32 (*get_smp_processor_id)(void) = (void *)8;
static long (*skb_store_bytes)(struct __sk_buff *skb, u32 offset, const void *from, u32 len, u64 flags) = (void *)9;
static long (*l3_csum_replace)(struct __sk_buff *skb, u32 offset, u64 from, u64 to, u64 size) = (void *)10;
static long (*l4_csum_replace)(struct __sk_buff *skb, u32 offset, u64 from, u64 to, u64 flags) = (void *)11;
static long (*tail_call)(void *ctx, void *prog_array_map, u32 index) = (void *)12;
static long (*skb_vlan_push)(struct __sk_buff *skb, u16 vlan_proto, u16 vlan_tci) = (void *)18;
static long (*skb_vlan_pop)(struct __sk_buff *skb) = (void *)19;
static long (*redirect)(u32 ifindex, u64 flags) = (void *)23;
static long (*skb_load_bytes)(const void *skb, u32 offset, void *to, u32 len) = (void *)26;
static s64 (*csum_diff)(u32 *from, u32 from_size, u32 *to, u32 to_size, u32 seed) = (void *)28;
static u32 (*get_hash_recalc)(struct __sk_buff *skb) = (void *)34;
static long (*skb_change_tail)(struct __sk_buff *skb, u32 len, u64 flags) = (void *)38;
static long (*skb_pull_data)(struct __sk_buff *skb, u32 len) = (void *)39;
static void (*set_hash_invalid)(struct __sk_buff *skb) = (void *)41;
static long (*skb_change_head)(struct __sk_buff *skb, u32 len, u64 flags) = (void *)43;
static long (*set_hash)(struct __sk_buff *skb, u32 hash) = (void *)48;
static long (*skb_adjust_room)(struct __sk_buff *skb, s32 len_diff, u32 mode, u64 flags) = (void *)50;
static u64 (*ktime_get_boot_ns)(void) = (void *)125;
static long (*ringbuf_output)(void *ringbuf, void *data, u64 size, u64 flags) = (void *)130;
static void *(*ringbuf_reserve)(void *ringbuf, u64 size, u64 flags) = (void *)131;
static void (*ringbuf_submit)(void *data, u64 flags) = (void *)132;
static void (*ringbuf_discard)(void *data, u64 flags) = (void *)133;
static long (*redirect_peer)(u32 ifindex, u64 flags) = (void *)155;
static long (*loop)(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags) = (void *)181;

/* A fixture's result: the kernel and the VM must both leave these bytes in the packet. */
#define OUT(skb, off, type, value) do { \
	void *_d = (void *)(long)(skb)->data, *_e = (void *)(long)(skb)->data_end; \
	if (_d + (off) + sizeof(type) <= _e) *(type *)(_d + (off)) = (value); } while (0)
