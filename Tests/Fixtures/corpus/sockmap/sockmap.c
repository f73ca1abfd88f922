/* Sockets kept in a SOCKMAP and a SOCKHASH by a tc program, as a socket-steering loader keeps
 * them: the program finds a socket the script opened with `listen` (a TCP or UDP lookup on
 * 10.0.1.1 and the request's port), stores it under the request's key, and later takes it back
 * out (a reference it must release), reads it, steers the skb to it, or deletes it. The request
 * is the map corpus's (../maps/maps.h): op, key, value (the port; bit 16 asks for UDP), flags;
 * the answer at byte 38 is the result and a value. */
#include "maps.h"

static struct bpf_sock *(*sk_lookup_tcp)(void *ctx, struct bpf_sock_tuple *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)BPF_FUNC_sk_lookup_tcp;
static struct bpf_sock *(*sk_lookup_udp)(void *ctx, struct bpf_sock_tuple *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)BPF_FUNC_sk_lookup_udp;
static long (*sk_release)(void *sk) = (void *)BPF_FUNC_sk_release;
static struct bpf_sock *(*sk_fullsock)(struct bpf_sock *sk) = (void *)BPF_FUNC_sk_fullsock;
static long (*sk_assign)(void *ctx, void *sk, __u64 flags) = (void *)BPF_FUNC_sk_assign;

#define CURRENT_NETNS ((__u64)-1)
#define UDP_BIT (1u << 16)

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} by_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} by_key SEC(".maps");

enum { STORE, STORE_BY_KEY, FETCH, FETCH_BY_KEY, DELETE, DELETE_BY_KEY, STORE_OWN, ASSIGN };

/* The listening socket on 10.0.1.1:port (TCP, or UDP with UDP_BIT), or NULL. */
static struct bpf_sock *find(struct __sk_buff *skb, __u64 value)
{
	struct bpf_sock_tuple tuple = {};
	tuple.ipv4.saddr = 0x0200000a;		/* 10.0.0.2, network order */
	tuple.ipv4.daddr = 0x0101000a;		/* 10.0.1.1 */
	tuple.ipv4.sport = 0x409c;		/* 40000 */
	tuple.ipv4.dport = __builtin_bswap16((__u16)value);
	if (value & UDP_BIT)
		return sk_lookup_udp(skb, &tuple, sizeof(tuple.ipv4), CURRENT_NETNS, 0);
	return sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), CURRENT_NETNS, 0);
}

/* What a program reads of a socket it took out of a map: protocol, state, port. */
static __u64 describe(struct bpf_sock *sk)
{
	return (__u64)sk->protocol << 48 | (__u64)sk->state << 32 | sk->src_port;
}

SEC("tc")
int sockmap_op(struct __sk_buff *skb)
{
	struct request req;
	if (read_request(skb, &req))
		return 2;
	__u32 key = req.key;
	void *map = (req.op & 1) ? (void *)&by_key : (void *)&by_slot;
	switch (req.op) {
	case STORE:
	case STORE_BY_KEY: {
		struct bpf_sock *sk = find(skb, req.value);
		if (!sk) {
			answer(skb, -1, 0);
			break;
		}
		answer(skb, map_update_elem(map, &key, sk, req.flags), 0);
		sk_release(sk);
		break;
	}
	case FETCH:
	case FETCH_BY_KEY: {
		struct bpf_sock *sk = map_lookup_elem(map, &key);
		if (!sk) {
			answer(skb, -1, 0);
			break;
		}
		answer(skb, 0, describe(sk));
		sk_release(sk);
		break;
	}
	case DELETE:
	case DELETE_BY_KEY:
		answer(skb, map_delete_elem(map, &key), 0);
		break;
	case STORE_OWN: {
		/* The test-run's own socket is a full socket, but neither TCP nor UDP. */
		struct bpf_sock *own = skb->sk;
		if (own)
			own = sk_fullsock(own);
		answer(skb, own ? map_update_elem(&by_slot, &key, own, req.flags) : -1, 0);
		break;
	}
	case ASSIGN: {
		struct bpf_sock *sk = map_lookup_elem(&by_slot, &key);
		if (!sk) {
			answer(skb, -1, 0);
			break;
		}
		answer(skb, sk_assign(skb, sk, 0), describe(sk));
		sk_release(sk);
		break;
	}
	}
	return 0;
}

LICENSE;
