/* CO-RE building blocks for the corpus, written for tcx on the compiler's builtins
 * (libbpf's bpf_core_read.h offers the same under other names). */
#ifndef TCX_CORE_H
#define TCX_CORE_H

#include "vmlinux.h"

#define SEC(name) __attribute__((section(name), used))
#define LICENSE(text) char _license[] SEC("license") = text

/* Field information kinds of __builtin_preserve_field_info. */
#define FIELD_BYTE_OFFSET 0
#define FIELD_BYTE_SIZE 1
#define FIELD_EXISTS 2
#define FIELD_SIGNED 3
#define FIELD_LSHIFT 4
#define FIELD_RSHIFT 5

#define field_exists(f) __builtin_preserve_field_info(f, FIELD_EXISTS)
#define field_size(f) __builtin_preserve_field_info(f, FIELD_BYTE_SIZE)
#define field_offset(f) __builtin_preserve_field_info(f, FIELD_BYTE_OFFSET)
#define field_signed(f) __builtin_preserve_field_info(f, FIELD_SIGNED)

/* Type information kinds of __builtin_preserve_type_info. */
#define type_exists(T) __builtin_preserve_type_info(*(T *)0, 0)
#define type_size(T) __builtin_preserve_type_info(*(T *)0, 1)
#define type_matches(T) __builtin_preserve_type_info(*(T *)0, 2)
#define local_type_id(T) __builtin_btf_type_id(*(T *)0, 0)
#define target_type_id(T) __builtin_btf_type_id(*(T *)0, 1)

/* Enumerator information kinds of __builtin_preserve_enum_value. */
#define enum_value_exists(E, V) __builtin_preserve_enum_value(*(E *)V, 0)
#define enum_value(E, V) __builtin_preserve_enum_value(*(E *)V, 1)

/* Reads bitfield `f` of the object `p` points to (packet or context memory the program may
 * read directly): load the bytes that cover it, shift it to the top, shift it back down. */
#define read_bitfield(p, f) ({                                                        \
	unsigned long long __v = 0;                                                       \
	unsigned long long __off = __builtin_preserve_field_info((p)->f, FIELD_BYTE_OFFSET); \
	switch (__builtin_preserve_field_info((p)->f, FIELD_BYTE_SIZE)) {                   \
	case 1: __v = *(unsigned char *)((char *)(p) + __off); break;                   \
	case 2: __v = *(unsigned short *)((char *)(p) + __off); break;                  \
	case 4: __v = *(unsigned int *)((char *)(p) + __off); break;                    \
	default: __v = *(unsigned long long *)((char *)(p) + __off); break;             \
	}                                                                                 \
	__v <<= __builtin_preserve_field_info((p)->f, FIELD_LSHIFT);                      \
	if (__builtin_preserve_field_info((p)->f, FIELD_SIGNED))                          \
		__v = (unsigned long long)((long long)__v >>                                  \
			__builtin_preserve_field_info((p)->f, FIELD_RSHIFT));                     \
	else                                                                              \
		__v >>= __builtin_preserve_field_info((p)->f, FIELD_RSHIFT);                  \
	__v;                                                                              \
})

static long (*const bpf_skb_store_bytes)(struct __sk_buff *, __u32, const void *, __u32, __u64) = (void *)9;

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

#endif
