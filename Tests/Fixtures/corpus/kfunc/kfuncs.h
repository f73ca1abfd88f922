/* Declarations the kfunc corpus shares: the uapi, libbpf's section macros, and the kfuncs
 * with loop and existence macros of our own (the installed libbpf 1.1 headers predate them). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The number iterator: 8 opaque bytes on the stack. */
struct bpf_iter_num {
	__u64 opaque;
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *ptr, __u32 start, __u32 end) __ksym;
extern _Bool bpf_dynptr_is_null(const struct bpf_dynptr *ptr) __ksym;
extern _Bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *ptr) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *ptr, struct bpf_dynptr *clone__uninit) __ksym;

extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

/* Whether the loader found a (weak) kfunc: its address is 0 when it did not. */
#define kfunc_present(f) (!!(f))

/* for (v = lo; v < hi; v++), driven by an open-coded number iterator destroyed on scope exit. */
#define each_number(v, lo, hi)                                                                   \
	for (struct bpf_iter_num __it __attribute__((cleanup(bpf_iter_num_destroy))),             \
	     *__go = (bpf_iter_num_new(&__it, (lo), (hi)), &__it);                                 \
	     __go && ({ int *__n = bpf_iter_num_next(&__it); if (__n) (v) = *__n; __n != 0; });)

/* Runs the body n times. */
#define n_times(n)                                                                               \
	for (struct bpf_iter_num __it __attribute__((cleanup(bpf_iter_num_destroy))),             \
	     *__go = (bpf_iter_num_new(&__it, 0, (n)), &__it);                                     \
	     __go && bpf_iter_num_next(&__it);)

/* The request frames of the corpus: ethertype 0x88b5, then op (u8 @14) and arguments. */
#define REQUEST_PROTO 0x88b5

extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off, struct bpf_dynptr *src_ptr, __u32 src_off,
			   __u32 size) __ksym __weak;
extern int bpf_dynptr_memset(struct bpf_dynptr *p, __u32 offset, __u32 size, __u8 val) __ksym __weak;
