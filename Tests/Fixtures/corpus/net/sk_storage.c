/* Socket-local storage (BPF_MAP_TYPE_SK_STORAGE) on the sockets a script opened with `listen`
 * and on the skb's own socket. The frame is IPv4/TCP; the tuple comes from its headers, as in
 * sockets.c. After the TCP header (byte 54) comes the request: u32 op, u32 flags, u64 the value
 * a created storage starts from. The answer goes to byte 70: s64 result, u64 the counter.
 *   op 0: bpf_sk_storage_get(listener, NULL, flags)    op 1: the same with the start value
 *   op 2: bpf_sk_storage_delete(listener)
 *   op 3: bpf_sk_storage_get(skb->sk, start value, flags)   op 4: bpf_sk_storage_delete(skb->sk)
 * A get answers 1 and bumps the counter when it returns storage, 0 when it returns NULL; a
 * delete answers the helper's result; no socket answers -100. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static long (*const skb_load_bytes)(struct __sk_buff *skb, __u32 off, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*const skb_store_bytes)(struct __sk_buff *skb, __u32 off, const void *from, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static struct bpf_sock *(*const sk_lookup_tcp)(void *ctx, void *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)BPF_FUNC_sk_lookup_tcp;
static long (*const sk_release)(void *sk) = (void *)BPF_FUNC_sk_release;
static struct bpf_sock *(*const sk_fullsock)(struct bpf_sock *sk) = (void *)BPF_FUNC_sk_fullsock;
static void *(*const sk_storage_get)(void *map, void *sk, void *value, __u64 flags) = (void *)BPF_FUNC_sk_storage_get;
static long (*const sk_storage_delete)(void *map, void *sk) = (void *)BPF_FUNC_sk_storage_delete;

struct counter {
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct counter);
} per_socket SEC(".maps");

struct request {
	__u32 op;
	__u32 flags;
	__u64 start;
};

struct tuple4 { __u32 saddr, daddr; __u16 sport, dport; };

static void answer(struct __sk_buff *skb, __s64 result, __u64 count)
{
	__u64 out[2] = { (__u64)result, count };
	skb_store_bytes(skb, 70, out, sizeof(out), 0);
}

static __s64 use(void *sk, struct request *req, __u64 *count)
{
	if (req->op == 2 || req->op == 4)
		return sk_storage_delete(&per_socket, sk);
	struct counter start = { req->start };
	struct counter *c = sk_storage_get(&per_socket, sk, req->op == 0 ? 0 : &start, req->flags);
	if (!c)
		return 0;
	c->count++;
	*count = c->count;
	return 1;
}

SEC("tc")
int storage(struct __sk_buff *skb)
{
	struct request req;
	struct tuple4 t;
	__u64 count = 0;

	if (skb_load_bytes(skb, 54, &req, sizeof(req)) < 0 || skb_load_bytes(skb, 26, &t.saddr, 8) < 0 ||
	    skb_load_bytes(skb, 34, &t.sport, 4) < 0)
		return -1;
	if (req.op >= 3) {
		struct bpf_sock *own = skb->sk;
		if (!own) {
			answer(skb, -100, 0);
			return 0;
		}
		own = sk_fullsock(own);
		if (!own) {
			answer(skb, -101, 0);
			return 0;
		}
		answer(skb, use(own, &req, &count), count);
		return 0;
	}
	struct bpf_sock *sk = sk_lookup_tcp(skb, &t, sizeof(t), BPF_F_CURRENT_NETNS, 0);
	if (!sk) {
		answer(skb, -100, 0);
		return 0;
	}
	__s64 result = use(sk, &req, &count);
	sk_release(sk);
	answer(skb, result, count);
	return 0;
}

char _license[] SEC("license") = "GPL";
