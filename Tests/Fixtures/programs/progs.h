/* progs.h — the one header of the differential corpus (Tests/Fixtures/programs).
 * Written for swift-tcx: types, SEC and BTF map macros, the uapi __sk_buff layout, helper
 * prototypes by id, and small packet-parsing helpers. Not libbpf's header. */
#pragma once

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef signed short s16;
typedef signed int s32;
typedef signed long long s64;

#define SEC(name) __attribute__((section(name), used))
#define INLINE static inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))
#define LICENSE char _license[] SEC("license") = "GPL"

/* BTF-defined maps: __uint(f, n) is a pointer to int[n], __type(f, T) a pointer to T. */
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

#define MAP_HASH 1
#define MAP_ARRAY 2
#define MAP_PROG_ARRAY 3
#define MAP_PERCPU_HASH 5
#define MAP_PERCPU_ARRAY 6
/* LRU maps in the corpus have 1024 entries and are never filled: the kernel's common LRU hands
 * free nodes to per-CPU lists (up to 128 at a time) and evicts from its own lists when the CPU
 * running the program finds none, even before the map is full, so which entry goes depends on
 * the CPUs the test-runs ran on. The embedded LRU is exact (docs/maps.md). */
#define MAP_LRU_HASH 9
#define MAP_LRU_PERCPU_HASH 10
#define MAP_LPM_TRIE 11
#define MAP_RINGBUF 27
#define NO_PREALLOC 1

#define ANY 0
#define NOEXIST 1
#define EXIST 2

/* The uapi __sk_buff, field by field at the kernel's offsets. */
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

#define TC_ACT_UNSPEC (-1)
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

#define F_INGRESS 1                 /* bpf_redirect */
#define F_RECOMPUTE_CSUM 1          /* skb_store_bytes */
#define F_INVALIDATE_HASH 2
#define F_HDR_FIELD_MASK 0xf        /* l3/l4_csum_replace */
#define F_PSEUDO_HDR 0x10
#define F_MARK_MANGLED_0 0x20
#define F_MARK_ENFORCE 0x40
#define ADJ_ROOM_NET 0
#define ADJ_ROOM_MAC 1

#define bswap16(x) __builtin_bswap16(x)
#define bswap32(x) __builtin_bswap32(x)
#define htons(x) __builtin_bswap16(x)
#define ntohs(x) __builtin_bswap16(x)
#define htonl(x) __builtin_bswap32(x)
#define ntohl(x) __builtin_bswap32(x)

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
static s64 (*csum_diff)(void *from, u32 from_size, void *to, u32 to_size, u32 seed) = (void *)28;
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
static u64 (*ringbuf_query)(void *ringbuf, u64 flags) = (void *)134;
static long (*loop)(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags) = (void *)181;

/* Packet headers (network byte order in memory). */
struct ethhdr { u8 dst[6], src[6]; u16 proto; } __attribute__((packed));
struct vlanhdr { u16 tci, proto; };
struct iphdr { u8 ihl_ver, tos; u16 tot_len, id, frag_off; u8 ttl, protocol; u16 check; u32 saddr, daddr; };
struct ip6hdr { u32 vtc_flow; u16 payload_len; u8 nexthdr, hop_limit; u32 saddr[4], daddr[4]; };
struct tcphdr { u16 source, dest; u32 seq, ack_seq; u16 flags; u16 window, check, urg_ptr; };
struct udphdr { u16 source, dest, len, check; };
struct icmphdr { u8 type, code; u16 checksum; u16 id, seq; };

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58

#define DATA(skb) ((void *)(long)(skb)->data)
#define DATA_END(skb) ((void *)(long)(skb)->data_end)

/* Store `value` at `off` of the packet if it fits: how a program shows a result in test-run's out=. */
#define OUT(skb, off, type, value) do { \
	void *_d = DATA(skb), *_e = DATA_END(skb); \
	if (_d + (off) + sizeof(type) <= _e) *(type *)(_d + (off)) = (value); } while (0)
