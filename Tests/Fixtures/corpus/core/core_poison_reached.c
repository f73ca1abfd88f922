/* Reads a field no kernel has without checking that it exists: the relocation is poisoned
 * and the poisoned instruction is reached, so every loader refuses the program. */
#include "core.h"

struct __sk_buff___gone {
	__u32 tcx_removed_field;
} __attribute__((preserve_access_index));

SEC("tc")
int reads_missing_field(struct __sk_buff *skb)
{
	struct __sk_buff___gone *gone = (void *)skb;

	return gone->tcx_removed_field;
}

LICENSE("GPL");
