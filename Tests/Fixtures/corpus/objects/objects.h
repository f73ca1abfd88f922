/* Declarations the objects corpus shares: the uapi, libbpf's section macros, and the object
 * kfuncs with macros of our own (the installed libbpf 1.1 headers predate them). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* bpf_obj_new_impl's first argument is the program-BTF id of the type to allocate (a CO-RE
 * local type id), its second is filled in by the verifier. */
extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;
extern void bpf_obj_drop_impl(void *p__alloc, void *meta__ign) __ksym;

#define new_object(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), 0))
#define drop_object(p) bpf_obj_drop_impl((p), 0)

char LICENSE[] SEC("license") = "GPL";

/* A map value field holding an object the program owns (BTF type tag "kptr"). */
#define __kptr __attribute__((btf_type_tag("kptr")))
