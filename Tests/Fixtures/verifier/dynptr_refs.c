/* Dynptrs that hold a reference (bpf_ringbuf_reserve_dynptr's, and their clones): the program
 * must submit or discard one, may not write over its 16 bytes nor make another dynptr there,
 * and every dynptr argument sits at a constant stack offset. A dynptr without a reference
 * (bpf_dynptr_from_mem's) may be written over: it just ends. Also bpf_dynptr_slice's size:
 * bounded, then constant. Written for swift-tcx; the kernel's verdicts are recorded in
 * dynptr_refs.tcx (`tcx script --backend kernel --record`). */
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(field, n) int (*field)[n]
#define __type(field, T) typeof(T) *field

static long (*bpf_ringbuf_reserve_dynptr)(void *ringbuf, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)198;
static void (*bpf_ringbuf_submit_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)199;
static void (*bpf_ringbuf_discard_dynptr)(struct bpf_dynptr *ptr, __u64 flags) = (void *)200;
static void *(*bpf_ringbuf_reserve)(void *ringbuf, __u64 size, __u64 flags) = (void *)131;
static void (*bpf_ringbuf_submit)(void *data, __u64 flags) = (void *)132;
static long (*bpf_dynptr_from_mem)(void *data, __u32 size, __u64 flags, struct bpf_dynptr *ptr) = (void *)197;
static void *(*bpf_dynptr_data)(const struct bpf_dynptr *ptr, __u32 offset, __u32 len) = (void *)203;
static long (*bpf_dynptr_read)(void *dst, __u32 len, const struct bpf_dynptr *src, __u32 offset, __u64 flags) = (void *)201;
extern int bpf_dynptr_clone(const struct bpf_dynptr *ptr, struct bpf_dynptr *clone) __attribute__((section(".ksyms")));
extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr) __attribute__((section(".ksyms")));
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size) __attribute__((section(".ksyms")));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[4]);
} blobs SEC(".maps");

/* r6 = the value of blobs[0] (its 32 bytes are what bpf_dynptr_from_mem takes), or exit. */
#define BLOB "r1 = 0; *(u32 *)(r10 - 4) = r1; r2 = r10; r2 += -4; r1 = %[blobs] ll; call 1; " \
	     "if r0 != 0 goto 1f; exit; 1: r6 = r0; "

/* A number the verifier cannot know: its bounds are a u32's. */
volatile __u32 header_size = 14;

/* Reserves a record's dynptr at fp-16, then runs BODY, then discards what is at fp-16. */
#define RESERVED(BODY)                                                               \
	asm volatile("r1 = %[events] ll; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 198; " \
		     BODY                                                                    \
		     "r1 = r10; r1 += -16; r2 = 0; call 200; r0 = 0; exit;"                  \
		     :: [events] "i"(&events) : "memory")

/* Reserve and discard, nothing between: accepted. */
SEC("tc") __attribute__((naked)) int reserve_discard(void) { RESERVED(""); }

/* Eight bytes stored over the dynptr's first half. */
SEC("tc") __attribute__((naked)) int store_over_first_half(void) { RESERVED("r1 = 0; *(u64 *)(r10 - 16) = r1; "); }

/* One byte stored into its second half. */
SEC("tc") __attribute__((naked)) int store_byte_into_second_half(void) { RESERVED("r1 = 0; *(u8 *)(r10 - 5) = r1; "); }

/* A store just below it touches none of its bytes. */
SEC("tc") __attribute__((naked)) int store_below(void) { RESERVED("r1 = 0; *(u64 *)(r10 - 24) = r1; "); }

/* An immediate store over it, then the same after the record was discarded (accepted). */
SEC("tc") __attribute__((naked)) int store_immediate_over(void) { RESERVED("*(u32 *)(r10 - 12) = 7; "); }

SEC("tc") __attribute__((naked)) int store_after_discard(void)
{
	asm volatile("r1 = %[events] ll; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 198; "
		     "r1 = r10; r1 += -16; r2 = 0; call 200; "
		     "r1 = 0; *(u64 *)(r10 - 16) = r1; r0 = 0; exit;"
		     :: [events] "i"(&events) : "memory");
}

/* Another dynptr made over it (bpf_dynptr_from_mem on the same 16 bytes). */
SEC("tc") __attribute__((naked)) int make_dynptr_over(void)
{
	asm volatile(BLOB "r1 = %[events] ll; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 198; "
		     "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 197; "
		     "r1 = r10; r1 += -16; r2 = 0; call 200; r0 = 0; exit;"
		     :: [events] "i"(&events), [blobs] "i"(&blobs) : "memory");
}

/* A dynptr without a reference, written over: it ends, nothing is refused. */
SEC("tc") __attribute__((naked)) int store_over_local_dynptr(void)
{
	asm volatile(BLOB "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 197; "
		     "r1 = 0; *(u64 *)(r10 - 16) = r1; r0 = 0; exit;" :: [blobs] "i"(&blobs) : "memory");
}

/* Reserved and never submitted or discarded: a reference left at exit. */
SEC("tc") __attribute__((naked)) int reserve_never_released(void)
{
	asm volatile("r1 = %[events] ll; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 198; r0 = 0; exit;"
		     :: [events] "i"(&events) : "memory");
}

/* Reserved where the stack offset is one of two numbers. */
SEC("tc") __attribute__((naked)) int reserve_at_variable_offset(void)
{
	asm volatile("call 7; r0 &= 16; r4 = r10; r4 += -48; r4 += r0; "
		     "r1 = %[events] ll; r2 = 8; r3 = 0; call 198; "
		     "r1 = r10; r1 += -48; r2 = 0; call 200; r0 = 0; exit;"
		     :: [events] "i"(&events) : "memory");
}

/* A dynptr read through a pointer whose offset is one of two numbers (both dynptrs exist). */
SEC("tc") __attribute__((naked)) int read_at_variable_offset(void)
{
	asm volatile(BLOB "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -32; call 197; "
		     "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -48; call 197; "
		     "call 7; r0 &= 16; r3 = r10; r3 += -48; r3 += r0; "
		     "r1 = r10; r1 += -8; r2 = 4; r4 = 0; r5 = 0; call 201; r0 = 0; exit;" :: [blobs] "i"(&blobs) : "memory");
}

/* A clone shares the record's reference: discarding the original ends the clone too. */
SEC("tc") int clone_used_after_discard(struct __sk_buff *skb)
{
	struct bpf_dynptr record, clone;
	char out[4];

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	bpf_dynptr_clone(&record, &clone);
	bpf_ringbuf_discard_dynptr(&record, 0);
	return bpf_dynptr_read(out, sizeof(out), &clone, 0, 0);
}

/* Submitting the clone gives the reference back: accepted. */
SEC("tc") int clone_submitted(struct __sk_buff *skb)
{
	struct bpf_dynptr record, clone;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	bpf_dynptr_clone(&record, &clone);
	bpf_ringbuf_submit_dynptr(&clone, 0);
	return 0;
}

/* bpf_dynptr_data's memory: NULL until checked, ended with its record. */
SEC("tc") int data_checked_then_submitted(struct __sk_buff *skb)
{
	struct bpf_dynptr record;
	__u32 *data;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	data = bpf_dynptr_data(&record, 0, 4);
	if (data)
		*data = skb->len;
	bpf_ringbuf_submit_dynptr(&record, 0);
	return 0;
}

SEC("tc") int data_not_checked(struct __sk_buff *skb)
{
	struct bpf_dynptr record;
	__u32 *data;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	data = bpf_dynptr_data(&record, 0, 4);
	*(volatile __u32 *)data = skb->len;
	bpf_ringbuf_submit_dynptr(&record, 0);
	return 0;
}

SEC("tc") int data_past_its_size(struct __sk_buff *skb)
{
	struct bpf_dynptr record;
	__u32 *data;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	data = bpf_dynptr_data(&record, 0, 4);
	if (data)
		*(volatile __u32 *)(data + 1) = skb->len;
	bpf_ringbuf_submit_dynptr(&record, 0);
	return 0;
}

SEC("tc") int data_after_discard(struct __sk_buff *skb)
{
	struct bpf_dynptr record;
	__u32 *data;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	data = bpf_dynptr_data(&record, 0, 4);
	if (!data) {
		bpf_ringbuf_discard_dynptr(&record, 0);
		return 0;
	}
	bpf_ringbuf_discard_dynptr(&record, 0);
	*(volatile __u32 *)data = skb->len;
	return 0;
}

/* A clone's memory, after the original was discarded: ended too. */
SEC("tc") int clone_data_after_discard(struct __sk_buff *skb)
{
	struct bpf_dynptr record, clone;
	__u32 *data;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	bpf_dynptr_clone(&record, &clone);
	data = bpf_dynptr_data(&clone, 0, 4);
	bpf_ringbuf_discard_dynptr(&record, 0);
	if (data)
		*(volatile __u32 *)data = skb->len;
	return 0;
}

/* A dynptr's bytes are not memory: a load from them, or a helper reading them, is refused;
 * once a store ended a dynptr (one without a reference) its other half reads as any bytes. */
SEC("tc") __attribute__((naked)) int load_from_dynptr(void)
{
	asm volatile(BLOB "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 197; "
		     "r0 = *(u64 *)(r10 - 8); r0 = 0; exit;" :: [blobs] "i"(&blobs) : "memory");
}

SEC("tc") __attribute__((naked)) int dynptr_as_map_value(void)
{
	asm volatile(BLOB "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -32; call 197; "
		     "r1 = %[blobs] ll; r2 = r10; r2 += -4; r3 = r10; r3 += -32; r4 = 0; call 2; r0 = 0; exit;"
		     :: [blobs] "i"(&blobs) : "memory");
}

SEC("tc") __attribute__((naked)) int load_after_dynptr_ended(void)
{
	asm volatile(BLOB "r1 = r6; r2 = 8; r3 = 0; r4 = r10; r4 += -16; call 197; "
		     "r1 = 0; *(u64 *)(r10 - 16) = r1; r0 = *(u64 *)(r10 - 8); r0 = 0; exit;" :: [blobs] "i"(&blobs) : "memory");
}

/* bpf_ringbuf_submit takes what bpf_ringbuf_reserve gave, not a dynptr's memory (EACCES). */
SEC("tc") int submit_reserved(struct __sk_buff *skb)
{
	__u32 *data = bpf_ringbuf_reserve(&events, 4, 0);

	if (!data)
		return 0;
	*data = skb->len;
	bpf_ringbuf_submit(data, 0);
	return 0;
}

SEC("tc") int submit_dynptr_data(struct __sk_buff *skb)
{
	struct bpf_dynptr record;
	__u32 *data;

	bpf_ringbuf_reserve_dynptr(&events, 8, 0, &record);
	data = bpf_dynptr_data(&record, 0, 4);
	if (data)
		bpf_ringbuf_submit(data, 0);
	bpf_ringbuf_discard_dynptr(&record, 0);
	return 0;
}

/* bpf_dynptr_from_mem over the stack (EACCES); over a map value it is accepted (above). */
SEC("tc") int from_mem_over_stack(struct __sk_buff *skb)
{
	struct bpf_dynptr local;
	char bytes[8] = {};
	char out[4];

	bpf_dynptr_from_mem(bytes, sizeof(bytes), 0, &local);
	return bpf_dynptr_read(out, sizeof(out), &local, 0, 0);
}

/* bpf_dynptr_slice's size: a u32 the verifier cannot bound (EACCES), one bounded to 0..14 but
 * not one number (EINVAL), and a constant (accepted). */
SEC("tc") int slice_unbounded_size(struct __sk_buff *skb)
{
	struct bpf_dynptr packet;
	char buffer[14] = {};

	bpf_dynptr_from_skb(skb, 0, &packet);
	return bpf_dynptr_slice(&packet, 0, buffer, header_size) != 0;
}

SEC("tc") int slice_bounded_size(struct __sk_buff *skb)
{
	struct bpf_dynptr packet;
	char buffer[14] = {};
	__u32 size = header_size;

	if (size > sizeof(buffer))
		return 0;
	bpf_dynptr_from_skb(skb, 0, &packet);
	return bpf_dynptr_slice(&packet, 0, buffer, size) != 0;
}

SEC("tc") int slice_constant_size(struct __sk_buff *skb)
{
	struct bpf_dynptr packet;
	char buffer[14] = {};

	bpf_dynptr_from_skb(skb, 0, &packet);
	return bpf_dynptr_slice(&packet, 0, buffer, sizeof(buffer)) != 0;
}

char _license[] SEC("license") = "GPL";

/* bpf_dynptr_from_mem over a ring buffer record (EACCES: the kernel takes a map value or plain
 * memory, compared by exact type, so a record's memory is refused as the stack is). */
SEC("tc") int from_mem_over_record(struct __sk_buff *skb)
{
	struct bpf_dynptr local;
	char *record = bpf_ringbuf_reserve(&events, 16, 0);

	if (!record)
		return 0;
	bpf_dynptr_from_mem(record, 16, 0, &local);
	bpf_ringbuf_submit(record, 0);
	return 1;
}
