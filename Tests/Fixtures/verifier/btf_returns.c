/* Helpers whose result is a BTF pointer (RET_PTR_TO_BTF_ID_OR_NULL): the bpf_skc_to_* casts.
 * The result may be NULL until compared, is read through the named struct of the kernel's BTF
 * (scalars, nested structs, pointer members giving further BTF pointers), is never written, and
 * holds the reference of the socket it was cast from. Offsets are Linux 6.18's x86-64 layout:
 * sock_common's skc_family at 16, its skc_net (a struct net pointer) at 48, net's ns.inum at
 * 184, struct tcp_sock 2304 bytes; task_struct's pid at 1264, real_parent at 1280, the struct
 * 3264 bytes. */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define NAKED __attribute__((naked))

struct {
	int (*type)[BPF_MAP_TYPE_TASK_STORAGE];
	int (*map_flags)[BPF_F_NO_PREALLOC];
	int *key;
	__u64 *value;
} per_task SEC(".maps");

static char *(*to_tcp)(void *sk) = (void *)137;
static char *(*to_tcp6)(void *sk) = (void *)136;
static char *(*to_udp6)(void *sk) = (void *)140;
static char *(*to_unix)(void *sk) = (void *)178;
static void *(*lookup_tcp)(void *ctx, void *tuple, __u32 size, __u64 netns, __u64 flags) = (void *)84;
static long (*release)(void *sk) = (void *)86;
static char *(*current_task)(void) = (void *)158;
static char *(*task_registers)(void *task) = (void *)175;
static void *(*task_storage_get)(void *map, void *task, void *value, __u64 flags) = (void *)156;
static long (*task_storage_delete)(void *map, void *task) = (void *)157;

/* The cast may be NULL: reading before comparing is refused. */
SEC("tc") int read_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	return *(__u16 *)(to_tcp(sk) + 16);
}

/* Compared with NULL first, a field of the struct reads. */
SEC("tc") int read_family(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp)
		return 1;
	return *(__u16 *)(tcp + 16);
}

/* The struct's tail padding is no field; past its end is beyond it. */
SEC("tc") int read_padding(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp)
		return 1;
	return *(__u32 *)(tcp + 2300);
}

SEC("tc") int read_past_end(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp)
		return 1;
	return *(__u32 *)(tcp + 2304);
}

/* Nothing may be stored through it. */
SEC("tc") int write_family(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp)
		return 1;
	*(__u16 *)(tcp + 16) = 2;
	return 0;
}

/* A pointer member gives a pointer to its struct, read in turn. */
SEC("tc") int follow_net(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_udp6(sk);
	if (!tcp)
		return 1;
	char *net = *(char **)(tcp + 48);
	return *(__u32 *)(net + 184);
}

/* Half a pointer member is refused. */
SEC("tc") int half_pointer(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_unix(sk);
	if (!tcp)
		return 1;
	return *(__u32 *)(tcp + 52);
}

/* An unchecked cast is no socket argument; a checked one is. */
SEC("tc") int cast_unchecked_cast(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	return to_tcp(to_tcp6(sk)) != 0;
}

SEC("tc") int cast_checked_cast(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp6 = to_tcp6(sk);
	if (!tcp6)
		return 1;
	return to_tcp(tcp6) != 0 ? 2 : 3;
}

/* A cast of a looked-up socket holds its reference: releasing the cast releases the socket. */
SEC("tc") int release_through_cast(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	void *sk = lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (tcp)
		release(tcp);
	else
		release(sk);
	return 1;
}

/* The socket is gone once its cast is released. */
SEC("tc") int read_after_release(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk = lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp) {
		release(sk);
		return 1;
	}
	release(tcp);
	return sk->family;
}

/* Keeping the cast does not release the socket. */
SEC("tc") int cast_leaks(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	void *sk = lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (!sk)
		return 0;
	return to_tcp(sk) != 0;
}

/* A NULL cast gives back no reference: the socket is still held and must be released. */
SEC("tc") int cast_null_leaks(struct __sk_buff *skb)
{
	struct bpf_sock_tuple tuple = {};
	void *sk = lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), -1, 0);
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp)
		return 1;
	release(tcp);
	return 2;
}

/* A cast holding a reference, once compared, is never NULL: comparing it again goes one way,
 * and the other way's read of an unset register is never checked. */
SEC("tc") NAKED int cast_compared_twice(void)
{
	asm volatile(
		"r2 = 0;"
		"*(u64 *)(r10 - 8) = r2;"
		"*(u64 *)(r10 - 16) = r2;"
		"*(u64 *)(r10 - 24) = r2;"
		"*(u64 *)(r10 - 32) = r2;"
		"*(u64 *)(r10 - 40) = r2;"
		"r2 = r10;"
		"r2 += -40;"
		"r3 = 12;"          /* the IPv4 tuple */
		"r4 = -1;"          /* the skb's own netns */
		"r5 = 0;"
		"call 84;"          /* sk_lookup_tcp */
		"if r0 != 0 goto 1f;"
		"exit;"
	"1:"
		"r6 = r0;"
		"r1 = r0;"
		"call 137;"         /* skc_to_tcp_sock */
		"if r0 != 0 goto 2f;"
		"r1 = r6;"
		"call 86;"          /* sk_release */
		"r0 = 0;"
		"exit;"
	"2:"
		"if r0 != 0 goto 3f;"
		"r0 = *(u64 *)(r9 + 0);"
	"3:"
		"r1 = r0;"
		"call 86;"
		"r0 = 1;"
		"exit;"
		::: "memory");
}

/* The running task is never NULL, and is read like the casts: fields, pointer members, not past
 * its end, not written. */
SEC("tc") int task_compared(struct __sk_buff *skb)
{
	return current_task() ? 1 : 2;
}

SEC("tc") int task_pid(struct __sk_buff *skb)
{
	return *(__u32 *)(current_task() + 1264) != 0;
}

SEC("tc") int task_parent_pid(struct __sk_buff *skb)
{
	char *parent = *(char **)(current_task() + 1280);
	return *(__u32 *)(parent + 1264) != 0;
}

SEC("tc") int task_past_end(struct __sk_buff *skb)
{
	return *(__u32 *)(current_task() + 3264);
}

SEC("tc") int task_write_pid(struct __sk_buff *skb)
{
	*(__u32 *)(current_task() + 1264) = 1;
	return 0;
}

/* A task's registers: of a task only, never NULL, read but not written. */
SEC("tc") int registers_compared(struct __sk_buff *skb)
{
	return task_registers(current_task()) ? 1 : 2;
}

SEC("tc") int registers_read(struct __sk_buff *skb)
{
	return *(__u32 *)task_registers(current_task());
}

SEC("tc") int registers_written(struct __sk_buff *skb)
{
	*(__u32 *)task_registers(current_task()) = 0;
	return 0;
}

SEC("tc") int registers_of_socket(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp = to_tcp(sk);
	if (!tcp)
		return 1;
	return task_registers(tcp) != 0;
}

SEC("tc") int registers_of_context(struct __sk_buff *skb)
{
	return task_registers(skb) != 0;
}

/* A cast takes a pointer that starts with a sock_common: not the task, not its registers, not
 * a socket pointer moved into its struct. */
SEC("tc") int cast_of_task(struct __sk_buff *skb)
{
	return to_tcp(current_task()) != 0;
}

SEC("tc") int cast_of_registers(struct __sk_buff *skb)
{
	return to_tcp(task_registers(current_task())) != 0;
}

SEC("tc") int cast_of_moved_cast(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp6 = to_tcp6(sk);
	if (!tcp6)
		return 1;
	return to_tcp(tcp6 + 8) != 0;
}

/* Task storage takes a task: one read through the task is one, its registers are not. */
SEC("tc") int storage_of_parent(struct __sk_buff *skb)
{
	char *parent = *(char **)(current_task() + 1280);
	return task_storage_get(&per_task, parent, 0, 0) != 0;
}

SEC("tc") int storage_of_registers(struct __sk_buff *skb)
{
	return task_storage_get(&per_task, task_registers(current_task()), 0, 0) != 0;
}

SEC("tc") int storage_delete_of_registers(struct __sk_buff *skb)
{
	return task_storage_delete(&per_task, task_registers(current_task()));
}

/* A socket filter's casts are typed the same way. */
SEC("socket") int filter_read_unchecked(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	return *(__u16 *)(to_tcp6(sk) + 16);
}

SEC("socket") int filter_read_family(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	char *tcp6 = to_tcp6(sk);
	if (!tcp6)
		return 1;
	return *(__u16 *)(tcp6 + 16);
}

char _license[] SEC("license") = "GPL";
