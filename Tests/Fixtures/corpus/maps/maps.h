/* maps.h — the header of the map corpus (Tests/Fixtures/corpus/maps), written for swift-tcx in
 * the style libbpf users write: the uapi <linux/bpf.h>, SEC(), BTF map definitions with
 * __uint/__type/__array, and helpers declared by their ids. Not libbpf's header. */
#pragma once
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field
#define __array(field, T) typeof(T) *field[]
#define LICENSE char _license[] SEC("license") = "GPL"

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)BPF_FUNC_map_update_elem;
static long (*map_delete_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_delete_elem;
static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(void *skb, __u32 offset, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;

/* A request packet: 14 bytes of Ethernet, then the operation and its operands; the program
 * writes its answer back over the packet from byte 32 on. */
struct request {
	__u32 op;
	__u32 key;
	__u64 value;
	__u64 flags;
};
#define REQUEST_AT 14
#define ANSWER_AT 38

static inline int read_request(struct __sk_buff *skb, struct request *req)
{
	return skb_load_bytes(skb, REQUEST_AT, req, sizeof(*req));
}

static inline void answer(struct __sk_buff *skb, __s64 result, __u64 value)
{
	__u64 out[2] = { (__u64)result, value };
	skb_store_bytes(skb, ANSWER_AT, out, sizeof(out), 0);
}

static long (*map_push_elem)(void *map, const void *value, __u64 flags) = (void *)BPF_FUNC_map_push_elem;
static long (*map_pop_elem)(void *map, void *value) = (void *)BPF_FUNC_map_pop_elem;
static long (*map_peek_elem)(void *map, void *value) = (void *)BPF_FUNC_map_peek_elem;
static long (*spin_lock)(struct bpf_spin_lock *lock) = (void *)BPF_FUNC_spin_lock;
static long (*spin_unlock)(struct bpf_spin_lock *lock) = (void *)BPF_FUNC_spin_unlock;
static long (*tail_call)(void *ctx, void *prog_array, __u32 index) = (void *)BPF_FUNC_tail_call;
