/* Small tc programs, each on one verifier rule, in pairs where it helps: one the kernel should
 * load and one it should refuse. Written for swift-tcx; the kernel's verdict for each is
 * recorded in rules.tcx (`tcx script --backend kernel --record`), and VerifierAgreementTests
 * compares the embedded backend's verdicts with it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*skb_load_bytes)(const void *skb, __u32 offset, void *to, __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static struct bpf_sock *(*sk_lookup_tcp)(void *ctx, struct bpf_sock_tuple *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)BPF_FUNC_sk_lookup_tcp;
static long (*sk_release)(void *sk) = (void *)BPF_FUNC_sk_release;
static struct bpf_sock *(*sk_fullsock)(struct bpf_sock *sk) = (void *)BPF_FUNC_sk_fullsock;
static struct bpf_tcp_sock *(*tcp_sock)(struct bpf_sock *sk) = (void *)BPF_FUNC_tcp_sock;
static long (*skb_change_tail)(struct __sk_buff *skb, __u32 len, __u64 flags) = (void *)BPF_FUNC_skb_change_tail;
static long (*spin_lock)(struct bpf_spin_lock *lock) = (void *)BPF_FUNC_spin_lock;
static long (*spin_unlock)(struct bpf_spin_lock *lock) = (void *)BPF_FUNC_spin_unlock;
static void *(*ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)BPF_FUNC_ringbuf_reserve;
static void (*ringbuf_submit)(void *data, __u64 flags) = (void *)BPF_FUNC_ringbuf_submit;
static __u64 (*ktime_get_ns)(void) = (void *)BPF_FUNC_ktime_get_ns;
static long (*loop)(__u32 nr, void *callback, void *ctx, __u64 flags) = (void *)BPF_FUNC_loop;
static long (*timer_init)(struct bpf_timer *timer, void *map, __u64 flags) = (void *)BPF_FUNC_timer_init;
static long (*timer_set_callback)(struct bpf_timer *timer, void *callback) = (void *)BPF_FUNC_timer_set_callback;

struct value { __u64 counter; __u64 other; };
struct locked { struct bpf_spin_lock lock; __u64 counter; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct value);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked);
} locks SEC(".maps");

/* Packet bounds: a read must be proven below data_end. */
SEC("tc") int pkt_checked(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + ETH_HLEN > end)
		return 0;
	return data[ETH_HLEN - 1];
}

SEC("tc") int pkt_unchecked(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data;
	return data[0];
}

SEC("tc") int pkt_one_past(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + ETH_HLEN > end)
		return 0;
	return *(volatile __u8 *)(data + ETH_HLEN);
}

/* Map values: a lookup may return NULL, and the value has a size. */
SEC("tc") int value_checked(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct value *v = map_lookup_elem(&values, &key);
	if (!v)
		return 0;
	return v->counter;
}

SEC("tc") int value_unchecked(struct __sk_buff *skb)
{
	__u32 key = 1;
	struct value *v = map_lookup_elem(&values, &key);
	return *(volatile __u64 *)&v->counter;
}

SEC("tc") int value_past_end(struct __sk_buff *skb)
{
	__u32 key = 1;
	__u8 *v = map_lookup_elem(&values, &key);
	if (!v)
		return 0;
	return *(volatile __u64 *)(v + sizeof(struct value));
}

/* The context: which fields a tc program may write. */
SEC("tc") int ctx_write_mark(struct __sk_buff *skb)
{
	skb->mark = 7;
	return 0;
}

SEC("tc") int ctx_write_len(struct __sk_buff *skb)
{
	*(volatile __u32 *)&skb->len = 7;
	return 0;
}

SEC("tc") int ctx_read_past_end(struct __sk_buff *skb)
{
	return *(volatile __u32 *)((__u8 *)skb + sizeof(struct __sk_buff));
}

/* Helper memory arguments: the buffer must hold what the helper writes. */
SEC("tc") int helper_buffer_fits(struct __sk_buff *skb)
{
	__u8 buffer[8];
	if (skb_load_bytes(skb, 0, buffer, sizeof(buffer)))
		return 0;
	return buffer[7];
}

SEC("tc") int helper_buffer_short(struct __sk_buff *skb)
{
	volatile __u32 length = 16;
	__u8 buffer[8];
	if (skb_load_bytes(skb, 0, buffer, length & 31))
		return 0;
	return buffer[0];
}

/* References: a socket from a lookup must be released on every path. */
SEC("tc") int socket_released(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk = sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (sk)
		sk_release(sk);
	return 0;
}

SEC("tc") int socket_leaked(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk = sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	return sk != 0;
}

/* Loops: bounded ones load, one that never ends does not. */
SEC("tc") int loop_bounded(struct __sk_buff *skb)
{
	__u32 sum = 0;
	for (int i = 0; i < 16; i++)
		sum += skb->len + i;
	return sum;
}

SEC("tc") int loop_endless(struct __sk_buff *skb)
{
	volatile __u32 spin = 1;
	while (spin)
		;
	return 0;
}

/* Packet pointers die when a helper may move the packet. */
SEC("tc") int pkt_reloaded_after_resize(struct __sk_buff *skb)
{
	if (skb_change_tail(skb, 64, 0))
		return 0;
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end)
		return 0;
	return data[0];
}

SEC("tc") int pkt_stale_after_resize(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 1 > end)
		return 0;
	skb_change_tail(skb, 64, 0);
	return *(volatile __u8 *)data;
}

/* Spin locks: held locks must be released before exit. */
SEC("tc") int lock_balanced(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct locked *l = map_lookup_elem(&locks, &key);
	if (!l)
		return 0;
	spin_lock(&l->lock);
	l->counter++;
	spin_unlock(&l->lock);
	return 0;
}

SEC("tc") int lock_held_at_exit(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct locked *l = map_lookup_elem(&locks, &key);
	if (!l)
		return 0;
	spin_lock(&l->lock);
	l->counter++;
	return 0;
}

/* The stack: 512 bytes per frame. */
SEC("tc") int stack_in_frame(struct __sk_buff *skb)
{
	volatile __u8 buffer[480];
	buffer[skb->len & 255] = 1;
	return buffer[3];
}

/* A scalar used as a pointer. */
SEC("tc") int scalar_dereferenced(struct __sk_buff *skb)
{
	__u64 address = skb->len;
	return *(volatile __u32 *)address;
}

/* Pointer arithmetic with an unknown scalar on a packet pointer needs bounds again. */
SEC("tc") int pkt_variable_offset_checked(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	__u32 offset = skb->mark & 63;
	__u8 *p = data + offset;
	if (p + 1 > end)
		return 0;
	return *p;
}

SEC("tc") int pkt_variable_offset_unchecked(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 64 > end)
		return 0;
	__u32 offset = skb->mark & 127;
	return *(volatile __u8 *)(data + offset);
}

/* Arrays looked up with a key the verifier knows, inside the array: no NULL (Linux 6.14 on). */
SEC("tc") int value_known_key(struct __sk_buff *skb)
{
	__u32 key __attribute__((aligned(8))) = 1;
	struct value *v = map_lookup_elem(&values, &key);
	return *(volatile __u64 *)&v->counter;
}

SEC("tc") int value_zero_key(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct value *v = map_lookup_elem(&values, &key);
	return *(volatile __u64 *)&v->other;
}

SEC("tc") int value_known_key_outside(struct __sk_buff *skb)
{
	__u32 key __attribute__((aligned(8))) = 9;
	struct value *v = map_lookup_elem(&values, &key);
	return *(volatile __u64 *)&v->counter;
}

/* A variable offset into a map value must stay inside it. */
SEC("tc") int value_variable_inside(struct __sk_buff *skb)
{
	__u32 key = 2;
	__u8 *v = map_lookup_elem(&values, &key);
	if (!v)
		return 0;
	return v[skb->mark & 15];
}

SEC("tc") int value_variable_outside(struct __sk_buff *skb)
{
	__u32 key = 2;
	__u8 *v = map_lookup_elem(&values, &key);
	if (!v)
		return 0;
	return *(volatile __u64 *)(v + (skb->mark & 15));
}

/* Packet metadata is bounded by the packet's start. */
SEC("tc") int meta_checked(struct __sk_buff *skb)
{
	__u8 *meta = (void *)(long)skb->data_meta, *data = (void *)(long)skb->data;
	if (meta + 4 > data)
		return 0;
	return meta[3];
}

SEC("tc") int meta_unchecked(struct __sk_buff *skb)
{
	__u8 *meta = (void *)(long)skb->data_meta;
	return *(volatile __u8 *)meta;
}

/* Ring buffer records are references too. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tc") int ringbuf_submitted(struct __sk_buff *skb)
{
	__u32 *record = ringbuf_reserve(&events, sizeof(*record), 0);
	if (!record)
		return 0;
	*record = skb->len;
	ringbuf_submit(record, 0);
	return 0;
}

SEC("tc") int ringbuf_leaked(struct __sk_buff *skb)
{
	__u32 *record = ringbuf_reserve(&events, sizeof(*record), 0);
	if (!record)
		return 0;
	*record = skb->len;
	return 0;
}

SEC("tc") int ringbuf_past_record(struct __sk_buff *skb)
{
	__u32 *record = ringbuf_reserve(&events, sizeof(*record), 0);
	if (!record)
		return 0;
	record[1] = skb->len;
	ringbuf_submit(record, 0);
	return 0;
}

/* No helper calls while a spin lock is held. */
SEC("tc") int lock_with_call(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct locked *l = map_lookup_elem(&locks, &key);
	if (!l)
		return 0;
	spin_lock(&l->lock);
	l->counter = ktime_get_ns();
	spin_unlock(&l->lock);
	return 0;
}

/* bpf_loop: the callback is verified too. */
static long count_step(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

SEC("tc") int loop_callback(struct __sk_buff *skb)
{
	__u64 sum = 0;
	loop(8, count_step, &sum, 0);
	return sum;
}

/* A global function is verified on its own, from its signature. */
__attribute__((noinline)) int scaled_length(struct __sk_buff *skb)
{
	return skb ? skb->len * 2 : 0;
}

SEC("tc") int global_function(struct __sk_buff *skb)
{
	return scaled_length(skb);
}

/* Many branches whose results decide nothing but the return value: the kernel prunes them as
 * one state (precision), so every path is explored and a bad access behind them is found. */
#define FOLD(i) do { if (data[i] & 1) acc += i; else acc ^= (i) * 3; } while (0)
#define FOLD8(i) FOLD(i); FOLD(i + 1); FOLD(i + 2); FOLD(i + 3); FOLD(i + 4); FOLD(i + 5); FOLD(i + 6); FOLD(i + 7)

SEC("tc") int branches_then_checked(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 64 > end)
		return 0;
	__u32 acc = 0, flag = data[0] & 2;
	FOLD8(0); FOLD8(8); FOLD8(16); FOLD8(24); FOLD8(32); FOLD8(40); FOLD8(48); FOLD8(56);
	if (flag)
		return acc + data[63];
	return acc;
}

SEC("tc") int branches_then_past_end(struct __sk_buff *skb)
{
	__u8 *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (data + 64 > end)
		return 0;
	__u32 acc = 0, flag = data[0] & 2;
	FOLD8(0); FOLD8(8); FOLD8(16); FOLD8(24); FOLD8(32); FOLD8(40); FOLD8(48); FOLD8(56);
	if (flag)
		return acc + *(volatile __u8 *)(data + 64);
	return acc;
}

/* The frames of a chain of calls share 512 bytes of stack. */
static __attribute__((noinline)) int frame_leaf(struct __sk_buff *skb)
{
	volatile __u8 buffer[200];
	buffer[skb->len & 127] = 1;
	return buffer[7];
}

static __attribute__((noinline)) int frame_middle(struct __sk_buff *skb)
{
	volatile __u8 buffer[200];
	buffer[skb->len & 127] = 2;
	return buffer[9] + frame_leaf(skb);
}

SEC("tc") int stack_chain_fits(struct __sk_buff *skb)
{
	volatile __u8 buffer[200];
	buffer[skb->len & 127] = 3;
	return buffer[3] + frame_leaf(skb);
}

SEC("tc") int stack_chain_too_deep(struct __sk_buff *skb)
{
	volatile __u8 buffer[200];
	buffer[skb->len & 127] = 3;
	return buffer[3] + frame_middle(skb);
}

/* Global functions are verified from their BTF signature: a pointer parameter is memory of its
 * type's size or NULL, and each call must pass what the signature asks for. */
__attribute__((noinline)) int global_reads(int *p)
{
	return p ? *p : 0;
}

__attribute__((noinline)) int global_reads_unchecked(int *p)
{
	return *p;
}

__attribute__((noinline)) int global_reads_past(int *p)
{
	return p ? p[1] : 0;
}

__attribute__((noinline)) int global_takes_void(void *p)
{
	return p != 0;
}

__attribute__((noinline)) int global_takes_number(int x)
{
	return x + 1;
}

SEC("tc") int global_memory_checked(struct __sk_buff *skb)
{
	int v = skb->len;
	return global_reads(&v);
}

SEC("tc") int global_memory_unchecked(struct __sk_buff *skb)
{
	int v = skb->len;
	return global_reads_unchecked(&v);
}

SEC("tc") int global_memory_past(struct __sk_buff *skb)
{
	int v = skb->len;
	return global_reads_past(&v);
}

SEC("tc") int global_void_pointer(struct __sk_buff *skb)
{
	int v = 1;
	return global_takes_void(&v);
}

SEC("tc") int global_context_as_memory(struct __sk_buff *skb)
{
	return global_reads((void *)skb);
}

SEC("tc") int global_pointer_as_number(struct __sk_buff *skb)
{
	return global_takes_number((long)skb);
}

SEC("tc") int global_stack_as_context(struct __sk_buff *skb)
{
	int v = 1;
	return scaled_length((void *)&v);
}

/* What a callback may return: 0 or 1 to bpf_loop (go on, stop), 0 from a timer. */
static long step_keeps_going(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 2;
}

static long step_stops(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return index > 3;
}

SEC("tc") int loop_callback_returns_two(struct __sk_buff *skb)
{
	__u64 sum = 0;
	loop(8, step_keeps_going, &sum, 0);
	return sum;
}

SEC("tc") int loop_callback_returns_flag(struct __sk_buff *skb)
{
	__u64 sum = 0;
	loop(8, step_stops, &sum, 0);
	return sum;
}

struct timed { __u64 fired; struct bpf_timer timer; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct timed);
} timers SEC(".maps");

static int fired_once(void *map, __u32 *key, struct timed *value)
{
	value->fired++;
	return 0;
}

static int fired_answering(void *map, __u32 *key, struct timed *value)
{
	value->fired++;
	return 1;
}

SEC("tc") int timer_callback_returns_zero(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct timed *t = map_lookup_elem(&timers, &key);
	if (!t)
		return 0;
	timer_init(&t->timer, &timers, 1);
	return timer_set_callback(&t->timer, fired_once);
}

SEC("tc") int timer_callback_returns_one(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct timed *t = map_lookup_elem(&timers, &key);
	if (!t)
		return 0;
	timer_init(&t->timer, &timers, 1);
	return timer_set_callback(&t->timer, fired_answering);
}

/* The skb's socket: NULL-able, a sock_common until sk_fullsock, tcp_sock only through tcp_sock. */
SEC("tc") int skb_socket_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	return sk->family;
}

SEC("tc") int skb_socket_checked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	return sk->family;
}

SEC("tc") int skb_socket_mark_of_common(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	return sk->mark;
}

SEC("tc") int fullsock_of_unchecked(struct __sk_buff *skb)
{
	return sk_fullsock(skb->sk) != 0;
}

SEC("tc") int fullsock_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	sk = sk_fullsock(sk);
	return sk->mark;
}

SEC("tc") int fullsock_checked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	sk = sk_fullsock(sk);
	if (!sk)
		return 0;
	return sk->mark;
}

SEC("tc") int tcp_sock_checked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	struct bpf_tcp_sock *tp = tcp_sock(sk);
	if (!tp)
		return 0;
	return tp->snd_cwnd + tp->icsk_retransmits;
}

SEC("tc") int tcp_sock_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	return tcp_sock(sk)->snd_cwnd;
}

/* A map a program may only write; two locks, and unlocking the wrong one. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_WRONLY_PROG);
	__type(key, __u32);
	__type(value, __u64);
} write_only SEC(".maps");

SEC("tc") int write_only_written(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = map_lookup_elem(&write_only, &key);
	if (!v)
		return 0;
	*v = skb->len;
	return 0;
}

SEC("tc") int write_only_read(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = map_lookup_elem(&write_only, &key);
	if (!v)
		return 0;
	return *v;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct locked);
} lock_table SEC(".maps");

SEC("tc") int unlock_other_lock(struct __sk_buff *skb)
{
	__u32 a = 0, b = 1;
	struct locked *first = map_lookup_elem(&lock_table, &a);
	struct locked *second = map_lookup_elem(&lock_table, &b);
	if (!first || !second)
		return 0;
	spin_lock(&first->lock);
	first->counter++;
	spin_unlock(&second->lock);
	return 0;
}

/* Equal to a socket that is not NULL: not NULL either. */
SEC("tc") int socket_equal_to_checked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	struct bpf_sock *a = sk_fullsock(sk), *b = sk_fullsock(sk);
	if (!a)
		return 0;
	if (a != b)
		return 0;
	return b->mark;
}

/* LD_ABS in a subprogram: the kernel allows it where the BTF says the subprogram returns an
 * integer (a load past the packet ends the whole program with 0), not in one returning void. */
unsigned long long packet_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

static __attribute__((noinline)) int first_byte_plus_one(struct __sk_buff *skb)
{
	return packet_byte(skb, 0) + 1;
}

static __attribute__((noinline)) void mark_from_first_byte(struct __sk_buff *skb)
{
	skb->mark = packet_byte(skb, 0);
}

SEC("tc") int ld_abs_in_int_subprogram(struct __sk_buff *skb)
{
	return first_byte_plus_one(skb);
}

SEC("tc") int ld_abs_in_void_subprogram(struct __sk_buff *skb)
{
	mark_from_first_byte(skb);
	return 0;
}

char _license[] SEC("license") = "GPL";
